# lib/: what the daemon, the VMM and the tool share.
LIB_SRCS := lib/util.c lib/log.c lib/eth.c lib/pkt.c lib/pkt-offload.c lib/unixmsg.c \
	lib/port-options.c lib/bridge-options.c lib/rpc-client.c \
	lib/utf8.c lib/trace-text.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBCOMMON := $(BUILD)/libcommon.a
$(LIBCOMMON): $(LIB_OBJS)
