/*
 * check_lab.c - unit tests for the lab file parser (ctl/lab/lab-parse.c):
 * a full lab reads into the model field by field, the names of the system
 * objects follow the prefix, and bad files give their one line naming
 * file, line and key.  (tests/sys/lab-bad/ holds one file per mistake,
 * checked end to end by tests/sys/lab-bad.sh.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ctl/lab/lab.h"

static struct lab *
parse(const char *text, char err[LAB_ERR_MAX])
{
	return lab_parse("t.yml", text, strlen(text), err);
}

static const char full[] =
	"name: demo\n"				/* 1 */
	"switches:\n"				/* 2 */
	"  sw1: {stp: on, priority: 4096, forward_delay: 2.5, hello_time: 1}\n"
	"  sw2: {vlan_filtering: true, ageing: 0.5, storm_limit: 100}\n"
	"  sw3:\n"				/* 5 */
	"hosts:\n"
	"  h1:\n"
	"    addresses: {eth0: [10.0.0.1/24, 'fd00::1/64'], eth0.10: 10.0.10.1/24}\n"
	"    vlans: [eth0.10]\n"
	"    routes: ['default via 10.0.0.254']\n"	/* 10 */
	"    exec: ['echo hi']\n"
	"  h2: {addresses: {eth1: 10.0.0.2/24}, forwarding: yes}\n"
	"links:\n"
	"  - [sw1:p1, sw2:p1]\n"
	"  - endpoints: [h1:eth0, sw2:p2]\n"	/* 15 */
	"    sw2:p2: {trunk: [1, 10-12], pvid: 1}\n"
	"  - {endpoints: [sw1:p2, sw3:p1], loss: 2.5, delay: 10, seed: 7}\n"
	"  - [h2:eth1, sw3:p9]\n"
	"checks:\n"
	"  - ping: [h1, h2]\n"			/* 20 */
	"  - blocking: sw3:p1\n"
	"  - learned: [sw2:p2, h1]\n"
	"  - root: sw1\n";

START_TEST(test_full)
{
	char err[LAB_ERR_MAX], name[LAB_IFNAMSIZ], ns[64];
	struct lab *lab = parse(full, err);

	ck_assert_msg(lab, "%s", err);
	ck_assert_str_eq(lab->name, "demo");
	ck_assert_str_eq(lab->prefix, "demo-");
	ck_assert_uint_eq(lab->n_switches, 3);
	ck_assert(lab->switches[0].stp);
	ck_assert_uint_eq(lab->switches[0].priority, 4096);
	ck_assert_uint_eq(lab->switches[0].fwd_cs, 250);
	ck_assert_uint_eq(lab->switches[0].hello_cs, 100);
	ck_assert(lab->switches[1].vlan_filtering);
	ck_assert_uint_eq(lab->switches[1].ageing_cs, 50);
	ck_assert_uint_eq(lab->switches[1].storm_limit, 100);
	ck_assert(!lab->switches[2].has_priority);
	ck_assert_uint_eq(lab->n_hosts, 2);
	ck_assert_uint_eq(lab->hosts[0].n_addrs, 3);
	ck_assert_str_eq(lab->hosts[0].addrs[1].cidr, "fd00::1/64");
	ck_assert_str_eq(lab->hosts[0].addrs[2].ifname, "eth0.10");
	ck_assert_uint_eq(lab->hosts[0].vlans[0].vid, 10);
	ck_assert_str_eq(lab->hosts[0].vlans[0].parent, "eth0");
	ck_assert_str_eq(lab->hosts[0].routes[0], "default via 10.0.0.254");
	ck_assert(lab->hosts[1].forwarding);
	ck_assert_uint_eq(lab->n_links, 4);
	ck_assert_int_eq(lab->links[1].end[0].kind, LAB_HOST);
	ck_assert(lab->links[1].end[1].has_trunk);
	ck_assert(lab->links[1].end[1].trunk[11 / 8] & (1u << (11 % 8)));
	ck_assert(!(lab->links[1].end[1].trunk[13 / 8] & (1u << (13 % 8))));
	ck_assert_uint_eq(lab->links[1].end[1].pvid, 1);
	ck_assert(lab->links[2].has_loss);
	ck_assert(lab->links[2].loss_pct == 2.5);
	ck_assert_uint_eq(lab->links[2].seed, 7);
	ck_assert_int_eq(lab->links[2].line, 17);
	ck_assert_uint_eq(lab->n_checks, 4);
	ck_assert_int_eq(lab->checks[1].kind, LAB_CHECK_STATE);
	ck_assert_str_eq(lab->checks[1].c, "blocking");
	ck_assert_int_eq(lab->checks[2].kind, LAB_CHECK_LEARNED);
	lab_bridge_name(lab, "sw1", name);
	ck_assert_str_eq(name, "demo-sw1");
	lab_port_name(lab, "sw1", "p2", name);
	ck_assert_str_eq(name, "demo-sw1-p2");
	lab_netns_name(lab, "h1", ns);
	ck_assert_str_eq(ns, "demo-h1");
	ck_assert_int_eq(lab_find_link(lab, "sw3", "p9", NULL), 3);
	lab_destroy(lab);
}
END_TEST

START_TEST(test_prefix_override)
{
	char err[LAB_ERR_MAX], name[LAB_IFNAMSIZ];
	struct lab *lab;

	lab_set_prefix("lbx-");
	lab = parse(full, err);
	lab_set_prefix(NULL);
	ck_assert_msg(lab, "%s", err);
	lab_port_name(lab, "sw3", "p9", name);
	ck_assert_str_eq(name, "lbx-sw3-p9");
	lab_destroy(lab);
}
END_TEST

/* The plan lab up follows, in order: bridges, namespaces, ports with
 * their settings, then the hosts' own configuration. */
START_TEST(test_plan)
{
	char err[LAB_ERR_MAX], *buf = NULL;
	size_t len = 0;
	struct lab *lab = parse(full, err);
	FILE *f;

	ck_assert_msg(lab, "%s", err);
	f = open_memstream(&buf, &len);
	lab_plan_print(lab, f);
	fclose(f);
	ck_assert_str_eq(buf,
		"bridge add demo-sw1 stp on priority 4096 hello_time 100 "
		"forward_delay 250\n"
		"bridge add demo-sw2 stp off ageing_time 50 vlan_filtering 1\n"
		"bridge add demo-sw3 stp off\n"
		"netns add demo-h1\n"
		"netns add demo-h2\n"
		"port add demo-sw1 demo-sw1-p1 type patch peer demo-sw2-p1\n"
		"port add demo-sw2 demo-sw2-p1 type patch peer demo-sw1-p1 "
		"storm_limit 100\n"
		"port add demo-sw2 demo-sw2-p2 type tap netns demo-h1 ifname eth0 "
		"storm_limit 100 trunk 1 10-12 pvid 1\n"
		"port add demo-sw1 demo-sw1-p2 type patch peer demo-sw3-p1 "
		"delay 10 loss 2.5 seed 7\n"
		"port add demo-sw3 demo-sw3-p1 type patch peer demo-sw1-p2 "
		"delay 10 loss 2.5 seed 7\n"
		"port add demo-sw3 demo-sw3-p9 type tap netns demo-h2 ifname eth1\n"
		"netns demo-h1: vlan eth0.10 on eth0 id 10\n"
		"netns demo-h1: address 10.0.0.1/24 on eth0\n"
		"netns demo-h1: address fd00::1/64 on eth0\n"
		"netns demo-h1: address 10.0.10.1/24 on eth0.10\n"
		"netns demo-h1: route default via 10.0.0.254\n"
		"netns demo-h1: exec echo hi\n"
		"netns demo-h2: address 10.0.0.2/24 on eth1\n"
		"netns demo-h2: ip forwarding on\n");
	free(buf);
	lab_destroy(lab);
}
END_TEST

static const struct {
	const char *text, *err;
} bad[] = {
	{ "", "t.yml:0: name: the file is empty" },
	{ "name: a\nswitches: {s: {}}\nfoo: 1\n",
	  "t.yml:3: foo: unknown key (known: name, prefix, description, "
	  "switches, hosts, vms, links, checks)" },
	{ "name: a\nswitches: {s: {priority: 70000}}\n",
	  "t.yml:2: switches.s.priority: 70000 out of range 0..65535" },
	{ "name: a\nswitches: {s: , t: }\nhosts: {s: }\n",
	  "t.yml:3: hosts.s: node name 's' is used twice" },
	{ "name: a\nswitches: {s: }\nlinks:\n  - [s:p1, x:p1]\n",
	  "t.yml:4: links[0].endpoints: no node 'x' (not a switch, host or "
	  "vm of this lab)" },
	{ "name: a\nswitches: {s: , t: }\nlinks:\n  - [s:p1, t:p1]\n"
	  "  - [s:p1, t:p2]\n",
	  "t.yml:5: links[1].endpoints: port s:p1 is used twice (also by the "
	  "link on line 4)" },
	{ "name: a\nswitches: {s: }\nhosts: {h: {addresses: {eth0: "
	  "10.0.0.300/24}}}\nlinks: [[h:eth0, s:p]]\n",
	  "t.yml:3: hosts.h.addresses.eth0: '10.0.0.300' is not an IPv4 "
	  "address" },
	{ "name: a\nswitches: {s: {vlan_filtering: 1}}\nhosts: {h: }\n"
	  "links:\n  - endpoints: [h:eth0, s:p]\n    s:p: {access: 4095}\n",
	  "t.yml:6: links[0].s:p.access: 4095 out of range 1..4094" },
	{ "name: a\nswitches: {s: {stp: on, transparent: on}}\n",
	  "t.yml:2: switches.s: transparent needs stp off (a transparent "
	  "switch forwards BPDUs, it does not run STP)" },
	{ "name: a\nswitches:\n  s: {stp: on}\n  s: {}\n",
	  "t.yml:4: switches: 's' given twice (first on line 3)" },
	{ "name: a\nswitches: {s: , t: }\nvms: {v: }\nlinks:\n"
	  "  - [v:eth0, s:p1]\n  - [v:eth1, t:p1]\n",
	  "t.yml:6: links[1].endpoints: vm v has a link already (line 5); "
	  "a vm has one NIC" },
	{ "name: a\nswitches: {s: {hub: on, vlan_filtering: on}}\n",
	  "t.yml:2: switches.s: a hub has no VLANs (vlan_filtering must be "
	  "off)" },
	{ "name: \"a\\nb\\tc\"\nswitches: {s: }\n",
	  "t.yml:1: name: 'a\\nb\\x09c' may hold only letters, digits and "
	  "'_' and '-'" },
	{ "name: a\nswitches: [\n",
	  "t.yml:3: YAML: did not find expected node content while parsing "
	  "a flow node" },
};

START_TEST(test_bad)
{
	char err[LAB_ERR_MAX];
	struct lab *lab = parse(bad[_i].text, err);

	ck_assert_msg(!lab, "case %d parsed", _i);
	ck_assert_str_eq(err, bad[_i].err);
	ck_assert(!strchr(err, '\n'));
}
END_TEST

/* Every prefix of a good file is handled: parsed or refused, never a
 * crash or a leak (ASan build). */
START_TEST(test_truncations)
{
	char err[LAB_ERR_MAX];

	for (size_t n = 0; n <= strlen(full); n++) {
		struct lab *lab = lab_parse("t.yml", full, n, err);

		ck_assert(lab || err[0]);
		lab_destroy(lab);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lab");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_prefix_override);
	tcase_add_test(tc, test_plan);
	tcase_add_loop_test(tc, test_bad, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, test_truncations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
