LIBSTP := $(BUILD)/libstp.a
$(LIBSTP): $(patsubst %.c,$(BUILD)/%.o,$(wildcard vswitchd/stp/*.c))
