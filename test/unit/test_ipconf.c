/* Unit tests of the ip= option parser (lwip-port/ipconf.c). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "lwip-port/ipconf.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static struct ipconf conf;
static const char *why;

static int parse(const char *text)
{
	why = "";
	return ipconf_parse(text, &conf, &why);
}

static void test_dhcp(void)
{
	CHECK_INT(parse("dhcp"), 0);
	CHECK(conf.dhcp);
	CHECK_INT(parse("on"), 0);
	CHECK(conf.dhcp);
	CHECK_INT(parse("10.0.0.1:::24::eth0:dhcp"), 0);
	CHECK(conf.dhcp);
}

static void test_static_linux_syntax(void)
{
	CHECK_INT(parse("192.168.100.2::192.168.100.1:255.255.255.0:guest"), 0);
	CHECK(!conf.dhcp);
	CHECK_INT(conf.address, IP(192, 168, 100, 2));
	CHECK_INT(conf.gateway, IP(192, 168, 100, 1));
	CHECK_INT(conf.netmask, IP(255, 255, 255, 0));
	CHECK_STR(conf.hostname, "guest");
	/* The boot-server field (second) is ignored; prefix lengths work. */
	CHECK_INT(parse("10.1.2.3:10.9.9.9:10.1.2.254:16"), 0);
	CHECK_INT(conf.netmask, IP(255, 255, 0, 0));
	CHECK_INT(conf.gateway, IP(10, 1, 2, 254));
	CHECK_STR(conf.hostname, "");
	CHECK_INT(parse("10.1.2.3"), 0);                /* only an address */
	CHECK_INT(conf.netmask, IP(255, 255, 255, 0));
	CHECK_INT(conf.gateway, 0);
	CHECK_INT(parse("10.1.2.3:::0"), 0);
	CHECK_INT(conf.netmask, 0);
	CHECK_INT(parse("10.1.2.3:::32"), 0);
	CHECK_INT(conf.netmask, 0xFFFFFFFFu);
}

static void test_errors(void)
{
	CHECK_INT(parse(""), -EINVAL);
	CHECK_STR(why, "client address");
	CHECK_INT(parse("10.0.0"), -EINVAL);
	CHECK_INT(parse("10.0.0.256"), -EINVAL);
	CHECK_INT(parse("10.0.0.1.2"), -EINVAL);
	CHECK_INT(parse("10.0.0.1x"), -EINVAL);
	CHECK_INT(parse("1000.0.0.1"), -EINVAL);
	CHECK_INT(parse("10.0.0.1::gateway"), -EINVAL);
	CHECK_STR(why, "gateway");
	CHECK_INT(parse("10.0.0.1::10.0.0.254:33"), -EINVAL);
	CHECK_STR(why, "netmask");
	CHECK_INT(parse("10.0.0.1::10.0.0.254:255.255.x.0"), -EINVAL);
	CHECK_INT(parse("dhcpx"), -EINVAL);
}

static void test_ipv4(void)
{
	uint32_t v;
	CHECK_INT(ipconf_parse_ipv4("0.0.0.0", &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(ipconf_parse_ipv4("255.255.255.255", &v), 0);
	CHECK_INT(v, 0xFFFFFFFFu);
	CHECK_INT(ipconf_parse_ipv4(" 1.2.3.4", &v), -EINVAL);
	CHECK_INT(ipconf_parse_ipv4("1..3.4", &v), -EINVAL);
	CHECK_INT(ipconf_parse_ipv4("1.2.3.", &v), -EINVAL);
}

int main(void)
{
	test_dhcp();
	test_static_linux_syntax();
	test_errors();
	test_ipv4();
	return check_report();
}
