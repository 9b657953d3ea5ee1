// Start-up cost of a command: runs it N times (fork/exec), prints the median and minimum wall time and the
// largest maximum resident set size (wait4 rusage). Usage: startup_bench N PROGRAM [ARGS...]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s N PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  int n = std::atoi(argv[1]);
  std::vector<double> ms;
  long max_rss_kib = 0;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      execv(argv[2], argv + 2);
      _exit(127);
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    auto t1 = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "%s exited with %d\n", argv[2], WEXITSTATUS(status));
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    max_rss_kib = std::max(max_rss_kib, ru.ru_maxrss);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%d runs: median %.2f ms, min %.2f ms, max RSS %.1f MiB\n", n, ms[ms.size() / 2], ms.front(),
              max_rss_kib / 1024.0);
  return 0;
}
