# vmm/: the KVM virtual machine monitor.  Grows with the VMM issue.
