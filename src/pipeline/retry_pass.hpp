#pragma once
// A retry pass (`shipchips ops-retry`, and the last step of `shipchips run`): the due chip jobs
// (ops/job_store.hpp DueFilter: failed retryable jobs whose next_retry_at has come; with
// error_class permanent the rejected and permanent ones; contract ones only when forced),
// at most `limit`, replanned from the AIS input each job recorded (its payload's ais_source)
// and chipped again through the same chip step, so a retry claims, heartbeats and finishes
// like any attempt. A job whose input is gone, or whose input no longer yields it, is finished
// as a contract failure saying so (an operator must restore the input or drop the job).

#include "core/config.hpp"
#include "ops/job_model.hpp"
#include "pipeline/chip_run.hpp"

#include <string>
#include <vector>

namespace shipchips::pipeline {

struct RetryPassOptions {
  ops::DueFilter filter;
  bool include_swir = false;
  std::string run_id;
};

struct RetryPassReport {
  std::size_t reclaimed_leases = 0;
  std::size_t due = 0;      // jobs selected
  std::size_t sources = 0;  // AIS inputs replanned
  std::size_t written = 0;
  std::size_t rejected = 0;
  std::size_t failed = 0;       // failed again (their next retry is scheduled or exhausted)
  std::size_t unplannable = 0;  // input gone or no longer yielding the chip
  std::size_t skipped_busy = 0;
  std::vector<std::string> errors;  // "chip_id: message" (first 50)
  std::optional<ErrorCode> first_failure;
};

RetryPassReport run_retry_pass(const Config& config, const RetryPassOptions& options);

}  // namespace shipchips::pipeline
