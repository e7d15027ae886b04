// The `tessera` command-line client. See `tessera --help`.
#include <grpc/support/log.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "clients/cli/commands.h"
#include "clients/cli/errors.h"

int main(int argc, char** argv) {
  // SIGINT and SIGTERM are taken by one thread with sigwait, so that they
  // never interrupt a gRPC thread and a held lease is released first. The
  // mask is set before any other thread exists, so every thread inherits it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    tessera::cli::RunInterruptAction();
    std::_Exit(tessera::cli::kExitInterrupted);
  }).detach();

  // gRPC logs failed TLS probes and reconnects to stderr; the CLI reports
  // failures itself, in one line. TESSERA_DEBUG=1 keeps gRPC's log.
  if (std::getenv("TESSERA_DEBUG") == nullptr) {
    gpr_set_log_function([](gpr_log_func_args*) {});
  }

  tessera::cli::Io io;
  io.in_tty = isatty(STDIN_FILENO);
  io.out_tty = isatty(STDOUT_FILENO);
  io.err_tty = isatty(STDERR_FILENO);
  io.env = tessera::cli::ProcessEnv();
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = tessera::cli::RunCli(args, io);
  std::cout.flush();
  // Skip static destructors: the signal thread and gRPC's are still running.
  std::_Exit(code);
}
