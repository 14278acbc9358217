/*
 * static-stubs.c - the two libsystemd functions a static vswitchd needs.
 *
 * The outer test host (tests/linux/) has no C library on disk, so vswitchd
 * is linked with -static.  Debian's libpcap.a always carries its D-Bus
 * capture module (pcap-dbus.o), which pulls in libdbus-1.a; that archive
 * calls sd_listen_fds() and sd_is_socket() for systemd socket activation of
 * a D-Bus *server*.  Debian ships no libsystemd.a, and neither function is
 * ever reached from a D-Bus client (vswitchd never even opens a D-Bus
 * capture), so these stand-ins answer "no sockets passed by systemd".
 *
 * The names are libsystemd's, not ours: they must match the references in
 * libdbus-1.a.  Only the static link in tests/linux/linux.mk uses this file.
 */
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

/* No file descriptors were passed by a service manager: returns 0. */
int
sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

/* Never called with a descriptor of ours: answers "not such a socket". */
int
sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return 0;
}
