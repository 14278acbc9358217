# tests/guest/: the freestanding test guest the VMM boots in its tests.
# Built with the host gcc but none of the project's flags (no sanitizers,
# no libc): 64-bit, no red zone, general registers only (no SSE/XSAVE
# state), linked at 1 MiB.  It must not contain int3, XSAVE-family or
# cmpxchg16b instructions, which the KVM of the development machines
# cannot run.
GUEST_SRCS   := tests/guest/start.S tests/guest/guest.c
GUEST_OBJS   := $(BUILD)/obj/tests/guest/start.o $(BUILD)/obj/tests/guest/guest.o
VMM_GUEST    ?= $(BUILD)/tests/guest/guest.elf
GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -mno-red-zone \
	-mgeneral-regs-only -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes

$(BUILD)/obj/tests/guest/%.o: tests/guest/%.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/tests/guest/%.o: tests/guest/%.S
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  GUESTAS $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(VMM_GUEST): $(GUEST_OBJS) tests/guest/guest.ld
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  GUESTLD $@"
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none \
		-Wl,-T,tests/guest/guest.ld -o $@ $(GUEST_OBJS) -lgcc
	@if objdump -d $@ | grep -qE '\s(int3|xsave|xrstor|xsaveopt|cmpxchg16b)\b'; then \
		echo "guest: forbidden instruction in $@" >&2; rm -f $@; exit 1; fi

PROGRAMS += $(VMM_GUEST)
