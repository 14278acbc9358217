# ctl/: bridgectl (also answers as brctl).  Grows with the control issue.
