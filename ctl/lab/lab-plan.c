/*
 * lab-plan.c - what "lab up" does for a validated lab, as an ordered list
 * of actions (printed by "lab up --dry-run"; lab-run.c performs the same
 * list).  Keeping the list here, away from the RPC and ip(8) calls, lets
 * the unit tests look at it.
 */
#include "lab.h"

#include <stdio.h>
#include <string.h>

static void
vlan_words(const struct lab_end *e, FILE *f)
{
	if (e->has_access) {
		fprintf(f, " access %u", e->access);
		return;
	}
	if (!e->has_trunk)
		return;
	fprintf(f, " trunk");
	for (unsigned v = 1; v < 4095; v++) {
		unsigned w = v;

		if (!(e->trunk[v / 8] & (1u << (v % 8))))
			continue;
		while (w + 1 < 4095 && (e->trunk[(w + 1) / 8] & (1u << ((w + 1) % 8))))
			w++;
		if (w > v)
			fprintf(f, " %u-%u", v, w);
		else
			fprintf(f, " %u", v);
		v = w;
	}
	if (e->has_pvid)
		fprintf(f, " pvid %u", e->pvid);
}

void
lab_plan_print(const struct lab *lab, void *fp)
{
	FILE *f = fp;
	char a[LAB_IFNAMSIZ], b[LAB_IFNAMSIZ], ns[64];

	for (size_t i = 0; i < lab->n_switches; i++) {
		const struct lab_switch *sw = &lab->switches[i];

		lab_bridge_name(lab, sw->name, a);
		fprintf(f, "bridge add %s stp %s", a, sw->stp ? "on" : "off");
		if (sw->has_priority)
			fprintf(f, " priority %u", sw->priority);
		if (sw->has_hello)
			fprintf(f, " hello_time %u", sw->hello_cs);
		if (sw->has_fwd)
			fprintf(f, " forward_delay %u", sw->fwd_cs);
		if (sw->has_maxage)
			fprintf(f, " max_age %u", sw->maxage_cs);
		if (sw->has_ageing)
			fprintf(f, " ageing_time %u", sw->ageing_cs);
		if (sw->vlan_filtering)
			fprintf(f, " vlan_filtering 1");
		if (sw->has_gfm)
			fprintf(f, " group_fwd_mask %u", sw->group_fwd_mask);
		if (sw->hub)
			fprintf(f, " hub on");
		if (sw->transparent)
			fprintf(f, " transparent on");
		fputc('\n', f);
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		lab_netns_name(lab, lab->hosts[i].name, ns);
		fprintf(f, "netns add %s\n", ns);
	}
	for (size_t i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];

		for (int e = 0; e < 2; e++) {
			const struct lab_end *end = &l->end[e], *o = &l->end[!e];

			if (end->kind != LAB_SWITCH)
				continue;
			lab_bridge_name(lab, end->node, a);
			lab_port_name(lab, end->node, end->port, b);
			if (o->kind == LAB_SWITCH) {
				char peer[LAB_IFNAMSIZ];

				lab_port_name(lab, o->node, o->port, peer);
				fprintf(f, "port add %s %s type patch peer %s",
					a, b, peer);
				if (l->has_delay)
					fprintf(f, " delay %u", l->delay_ms);
				if (l->has_loss)
					fprintf(f, " loss %g", l->loss_pct);
				if (l->has_rate)
					fprintf(f, " rate %u", l->rate_kbit);
				if (l->has_seed)
					fprintf(f, " seed %llu",
						(unsigned long long)l->seed);
			} else if (o->kind == LAB_HOST) {
				lab_netns_name(lab, o->node, ns);
				fprintf(f, "port add %s %s type tap netns %s "
					"ifname %s", a, b, ns, o->port);
			} else {
				fprintf(f, "port add %s %s type vhost-user -> "
					"vm %s", a, b, o->node);
			}
			if (lab->switches[end->idx].has_storm)
				fprintf(f, " storm_limit %u",
					lab->switches[end->idx].storm_limit);
			vlan_words(end, f);
			fputc('\n', f);
		}
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		lab_netns_name(lab, h->name, ns);
		for (size_t j = 0; j < h->n_vlans; j++)
			fprintf(f, "netns %s: vlan %s on %s id %u\n", ns,
				h->vlans[j].name, h->vlans[j].parent,
				h->vlans[j].vid);
		for (size_t j = 0; j < h->n_addrs; j++)
			fprintf(f, "netns %s: address %s on %s\n", ns,
				h->addrs[j].cidr, h->addrs[j].ifname);
		for (size_t j = 0; j < h->n_routes; j++)
			fprintf(f, "netns %s: route %s\n", ns, h->routes[j]);
		if (h->forwarding)
			fprintf(f, "netns %s: ip forwarding on\n", ns);
		for (size_t j = 0; j < h->n_exec; j++)
			fprintf(f, "netns %s: exec %s\n", ns, h->exec[j]);
	}
	for (size_t i = 0; i < lab->n_vms; i++)
		fprintf(f, "vm %s: %s\n", lab->vms[i].name,
			lab->vms[i].kernel ? lab->vms[i].kernel : "test guest");
}
