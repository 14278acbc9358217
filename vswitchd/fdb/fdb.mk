LIBFDB := $(BUILD)/libfdb.a
$(LIBFDB): $(patsubst %.c,$(BUILD)/%.o,$(wildcard vswitchd/fdb/*.c))
