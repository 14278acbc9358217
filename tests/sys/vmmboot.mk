# tests/sys/vmmboot.mk: the unit tests of the VMM's legacy PC devices
# (16550A interrupts, i8042 controller, CMOS RTC).  Linked with libvmm only
# (not the switch's libraries), and with the test's own kvm_irq_line(),
# which records interrupt levels: the test object comes first, so the
# archive's kvm.o is not pulled in for that symbol.  Runs in check-unit
# and in check-vmm.

VMM_LEGACY_TEST := $(BUILD)/tests/unit/check_vmm_serial

$(VMM_LEGACY_TEST): $(BUILD)/tests/unit/check_vmm_serial.o $(LIBVMM) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VMM_LIBS) $(CHECK_LIBS)

$(BUILD)/tests/unit/check_vmm_serial.o: CPPFLAGS += -Ivmm

# check-vmm's recipe runs every program in VMM_UNIT (expanded when it runs).
VMM_UNIT += $(VMM_LEGACY_TEST)
check-vmm: $(VMM_LEGACY_TEST)
