/* Prints musl's own reading of /etc/resolv.conf as JSON: the hidden __get_resolv_conf (musl
 * 1.2.3 src/network/resolvconf.c), reachable because this probe is linked statically with
 * musl-gcc -static (hidden visibility only matters between shared objects). The struct layout is
 * musl 1.2.3's src/network/lookup.h. The search text is split the way name_from_dns_search()
 * does (isspace). Also prints the namespace's interfaces (the environment a %scope name is
 * resolved against). */
#include <ctype.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct address {
  int family;
  unsigned scopeid;
  uint8_t addr[16];
  int sortkey;
};
#define MAXNS 3
struct resolvconf {
  struct address ns[MAXNS];
  unsigned nns, attempts, ndots;
  unsigned timeout;
};
int __get_resolv_conf(struct resolvconf *, char *, size_t);

static void json_bytes(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

int main(void) {
  struct resolvconf conf;
  char search[256];
  memset(&conf, 0, sizeof conf);
  memset(search, 0, sizeof search);
  if (__get_resolv_conf(&conf, search, sizeof search) < 0) {
    printf("{\"error\":true}\n");
    return 0;
  }
  printf("{\"nns\":%u,\"ndots\":%u,\"attempts\":%u,\"timeout\":%u,\"nameservers\":[", conf.nns, conf.ndots, conf.attempts, conf.timeout);
  for (unsigned i = 0; i < conf.nns && i < MAXNS; i++) {
    struct address *a = &conf.ns[i];
    int len = a->family == 2 ? 4 : 16;
    printf("%s{\"family\":%d,\"scopeId\":%u,\"bytes\":\"", i ? "," : "", a->family == 2 ? 4 : 6, a->scopeid);
    for (int k = 0; k < len; k++) printf("%02x", a->addr[k]);
    printf("\"}");
  }
  printf("],\"search\":[");
  int first = 1;
  for (char *p = search, *z; *p; p = z) {
    for (; isspace((unsigned char)*p); p++);
    for (z = p; *z && !isspace((unsigned char)*z); z++);
    if (z == p) break;
    if (!first) putchar(',');
    json_bytes(p, (size_t)(z - p));
    first = 0;
  }
  printf("],\"interfaces\":{");
  struct if_nameindex *ifs = if_nameindex();
  for (struct if_nameindex *i = ifs; i && i->if_index; i++) printf("%s\"%s\":%u", i == ifs ? "" : ",", i->if_name, i->if_index);
  if (ifs) if_freenameindex(ifs);
  printf("}}\n");
  return 0;
}
