// Defaults for the sanitizers, compiled into every program of a SHIPCHIPS_SANITIZE or
// SHIPCHIPS_BUILD_FUZZ build (the runtimes call these hooks at start-up, so they hold for the
// test binaries, the shipchips binary the tests run, and the fuzz targets alike, with no
// environment to set). ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS still add to them.

extern "C" {

// A UB report names the call chain, not only the line.
const char* __ubsan_default_options() {
  return "print_stacktrace=1";
}

// LeakSanitizer suppressions: only for memory that third-party libraries keep on purpose until
// exit. Each entry says why it is not ours.
const char* __lsan_default_suppressions() {
  return "";
}

}  // extern "C"
