/* Prints glibc's parsed resolver state as JSON: the legacy _res view (what res_ninit fills) and
 * the internal struct resolv_conf (all nameservers, the full search list), reached through the
 * GLIBC_PRIVATE __resolv_context_get. The struct layouts below are copied from glibc 2.36's
 * resolv/resolv_conf.h and resolv/resolv_context.h (version-specific by nature; the test checks
 * that the internal view agrees with _res where they overlap, so a layout change fails loudly). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct hd_resolv_sortlist_entry { struct in_addr addr; uint32_t mask; };
struct hd_resolv_conf {
  size_t refcount;
  const struct sockaddr **nameserver_list;
  size_t nameserver_list_size;
  const char *const *search_list;
  size_t search_list_size;
  const struct hd_resolv_sortlist_entry *sort_list;
  size_t sort_list_size;
  unsigned int options, retrans, retry, ndots;
};
struct hd_resolv_context {
  struct __res_state *resp;
  struct hd_resolv_conf *conf;
  size_t refcount;
  bool from_res;
  struct hd_resolv_context *next;
};
extern struct hd_resolv_context *__resolv_context_get(void);
extern void __resolv_context_put(struct hd_resolv_context *);

static void str(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static void addr(const struct sockaddr *sa) {
  char buf[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
    printf("{\"family\":4,\"address\":\"%s\"}", buf);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
    printf("{\"family\":6,\"address\":\"%s\",\"scopeId\":%u}", buf, s6->sin6_scope_id);
  } else {
    printf("{\"family\":0}");
  }
}

int main(void) {
  if (res_ninit(&_res) != 0) { printf("{\"error\":\"res_ninit failed\"}\n"); return 2; }
  printf("{\"nscount\":%d,\"nameservers\":[", _res.nscount);
  for (int i = 0; i < _res.nscount; i++) {
    if (i) putchar(',');
    if (_res.nsaddr_list[i].sin_family == AF_INET) addr((const struct sockaddr *)&_res.nsaddr_list[i]);
    else if (_res._u._ext.nsaddrs[i]) addr((const struct sockaddr *)_res._u._ext.nsaddrs[i]);
    else printf("null");
  }
  printf("],\"dnsrch\":[");
  for (int i = 0; i < MAXDNSRCH && _res.dnsrch[i]; i++) { if (i) putchar(','); str(_res.dnsrch[i]); }
  printf("],\"defdname\":"); str(_res.defdname);
  printf(",\"ndots\":%u,\"timeout\":%d,\"attempts\":%d,\"options\":%lu,\"sortlist\":[", _res.ndots, _res.retrans, _res.retry, _res.options);
  for (int i = 0; i < _res.nsort; i++) {
    char a[16], m[16];
    struct in_addr mask = { _res.sort_list[i].mask };
    inet_ntop(AF_INET, &_res.sort_list[i].addr, a, sizeof a);
    inet_ntop(AF_INET, &mask, m, sizeof m);
    printf("%s{\"address\":\"%s\",\"mask\":\"%s\"}", i ? "," : "", a, m);
  }
  printf("]");
  struct hd_resolv_context *ctx = __resolv_context_get();
  if (ctx && ctx->conf) {
    struct hd_resolv_conf *c = ctx->conf;
    printf(",\"internal\":{\"nameservers\":[");
    for (size_t i = 0; i < c->nameserver_list_size; i++) { if (i) putchar(','); addr(c->nameserver_list[i]); }
    printf("],\"search\":[");
    for (size_t i = 0; i < c->search_list_size; i++) { if (i) putchar(','); str(c->search_list[i]); }
    printf("],\"sortlistSize\":%zu,\"ndots\":%u,\"timeout\":%u,\"attempts\":%u}", c->sort_list_size, c->ndots, c->retrans, c->retry);
  }
  if (ctx) __resolv_context_put(ctx);
  printf("}\n");
  return 0;
}
