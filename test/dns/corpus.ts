/**
 * Tricky resolv.conf files (byte strings) used by the unit tests and by the differential tests
 * against the real glibc and musl. Nameservers are loopback or documentation addresses only; the
 * query-plan tests refuse anything that is not loopback.
 */
export const corpus: Record<string, string> = {
  empty: '',
  plain: 'nameserver 192.0.2.1\nsearch a.example b.example\noptions ndots:2\n',
  fourNameservers: 'nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 2001:db8::3\nnameserver 192.0.2.4\n',
  inlineComments:
    'nameserver 192.0.2.1 # primary\nnameserver 192.0.2.2#no-space\nsearch a.example # corp domain\ndomain x.example ; old\noptions ndots:2 # see use-vc docs\n',
  domainThenSearch: 'domain first.example\nsearch a.example b.example\n',
  searchThenDomain: 'search a.example b.example\ndomain last.example\n',
  domainTwoWords: 'domain a.example b.example\n',
  crlf: 'nameserver 192.0.2.1\r\nsearch a.example b.example\r\noptions ndots:3 rotate\r\n',
  indentedUpper: ' nameserver 192.0.2.9\nNAMESERVER 192.0.2.8\nnameserver:192.0.2.7\nnameserver\t192.0.2.6\n\tsearch nope.example\nsearch\n',
  clamps: 'options ndots:99 timeout:99 attempts:99\n',
  accumulate: 'options ndots:3\noptions rotate timeout:2\noptions attempts:4 edns0\n',
  negatives1: 'options ndots:-1 timeout:-1 attempts:0\n',
  negatives2: 'options ndots:-2 timeout:0 attempts:-3\n',
  garbageNumbers: 'options ndots: 4 timeout:3x attempts:\n',
  prefixes: 'options rotatexyz edns0=1 single-request-reopenX ndots:2timeout:9 NO-AAAA inet6 no_tld_query\n',
  allFlags: 'options rotate edns0 single-request single-request-reopen no-tld-query use-vc no-reload trust-ad no-aaaa\n',
  unknownOptions: 'options debug no-check-names ip6-dotint -edns0 strict-error timeout:2\n',
  addressForms: 'nameserver 010.0.0.1\nnameserver 127.1\nnameserver 0x7f000001\nnameserver [::1]\nnameserver 1.2.3.4:53\nnameserver 08.1.1.1\n',
  ipv6Forms: 'nameserver ::1\nnameserver fe80::1%lo\nnameserver ::ffff:192.0.2.1\nnameserver 2001:DB8:0:0:0:0:0:1\nnameserver 1::\n',
  ipv6Bad: 'nameserver 1:2:3:4:5:6:7:8:9\nnameserver ::1::\nnameserver 12345::\nnameserver ::1.2.3.04\nnameserver fe80::1%\n',
  sortlist: 'sortlist 192.0.2.0/24 10.0.0.0&255.0.0.0 172.16.0.0 198.51.100.7/255.255.255.255;192.0.2.200\n',
  sortlistMany: 'sortlist 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8 10.0.0.9 10.0.0.10 10.0.0.11 10.0.0.12\n',
  sortlistHangCr: 'nameserver 192.0.2.1\nsortlist 10.0.0.0\r\n',
  sortlistHangBad: 'sortlist bogus/24\n',
  manySearch8: 'search d1.example d2.example d3.example d4.example d5.example d6.example d7.example d8.example\n',
  longSearch: `search ${Array.from({ length: 5 }, (_, i) => `${String(i).repeat(60)}.example`).join(' ')}\n`,
  search30: `search ${Array.from({ length: 30 }, (_, i) => `s${i}.example`).join(' ')}\n`,
  searchDot: 'search a.example . b.example\n',
  searchEmptyThen: 'search a.example\nsearch   \nsearch\t\n',
  searchOnlyDot: 'search .\n',
  bareOptions: 'options\noptions \nnameserver 192.0.2.1\n',
  noFinalNewline: 'nameserver 192.0.2.1\nsearch tail.example',
  nulByte: 'nameserver 192.0.2.1\0junk\nsearch a.example\0b.example\n',
  commentsEverywhere: '# comment\n; another\n  # indented\n\nnameserver 192.0.2.1\n#nameserver 192.0.2.2\n',
  highBytes: 'search caf\xc3\xa9.example \xff.example\nnameserver 192.0.2.1\n',
  k8sPod: 'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
  resolvedStub:
    '# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n# Do not edit.\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n',
  tabs: 'nameserver\t\t192.0.2.1\t# tab comment\nsearch\ta.example\tb.example\t\noptions\tndots:2\ttimeout:1\n',
  longLine300: `search ${'x'.repeat(290)}.example\nnameserver 192.0.2.1\n`,
  searchAbortFirst: `search ${'y'.repeat(300)}\n`,
  searchAbortSecond: `search a.example ${'y'.repeat(300)}\n`,
  searchAbort55: `search ${'z'.repeat(55)} ${'y'.repeat(250)}\n`,
  searchNoAbort56: `search ${'z'.repeat(56)} ${'y'.repeat(250)}\n`,
  hugeNumbers: 'options ndots:99999999999999999999 timeout:4294967297 attempts:2147483648\n',
};

const pad = (prefix: string, len: number) => prefix + 'x'.repeat(len - prefix.length);

/**
 * Files where musl's reading is the point: `%scope` interface names (looked up with
 * if_nametoindex, only on link-local addresses) and the 256-byte fgets buffer (a line of 255
 * bytes or more, counting a "\r" but not the "\n", is ignored). The musl differential test runs
 * them with a veth pair hd0/hd1 in its network namespace.
 */
export const muslCorpus: Record<string, string> = {
  scopeNamed: 'nameserver fe80::1%lo\nnameserver fe80::2%hd0\nnameserver fe80::3%nosuch\nnameserver fe80::4%hd1\n',
  scopeNotLinkLocal: 'nameserver 2001:db8::1%lo\nnameserver ::1%lo\nnameserver 2001:db8::2%7\nnameserver ff02::1%hd0\n',
  scopeOdd: 'nameserver fe80::1%\nnameserver fe80::1%1x\nnameserver fe80::1%4294967296\nnameserver fe80::1%4294967295\nnameserver fe80::1%0002\nnameserver fe80::9%lo\n',
  scopeThenPlain: 'nameserver fe80::1%nosuch\nnameserver 192.0.2.1\nnameserver fe80::2%lo\nnameserver 192.0.2.2\n',
  line254: `search before.example\n${pad('search a.example b', 254)}\nnameserver 192.0.2.1\n`,
  line255: `search before.example\n${pad('search a.example b', 255)}\nnameserver 192.0.2.1\n`,
  line254Crlf: `search before.example\n${pad('search a.example b', 254)}\r\nnameserver 192.0.2.1\n`,
  line253Crlf: `search before.example\n${pad('search a.example b', 253)}\r\nnameserver 192.0.2.1\n`,
  lastLine254NoNewline: `nameserver 192.0.2.1\n${pad('search a.example b', 254)}`,
  lastLine255NoNewline: `nameserver 192.0.2.1\nsearch before.example\n${pad('search a.example b', 255)}`,
  longOptions: `options ndots:3 attempts:4 timeout:9 ${'y'.repeat(230)}\noptions timeout:7\n`,
  longNameserver: `nameserver 192.0.2.1${' '.repeat(240)}# primary\nnameserver 192.0.2.2\n`,
  veryLongLine: `search a.example\n${pad('domain b.example c', 1000)}\nnameserver 192.0.2.3\n`,
};
