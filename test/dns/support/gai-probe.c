/* getaddrinfo(NAME) with AF_UNSPEC (or AF_INET with "inet"), no AI_ADDRCONFIG: prints the
 * return code. Built with gcc (glibc) and musl-gcc -static (musl). */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = argc > 2 && strcmp(argv[2], "inet") == 0 ? AF_INET : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  int rc = getaddrinfo(argv[1], NULL, &hints, &res);
  printf("{\"rc\":%d}\n", rc);
  if (res) freeaddrinfo(res);
  return 0;
}
