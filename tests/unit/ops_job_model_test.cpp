// The retry schedule and the lease owners (ops/job_model.hpp, ops/lease_owner.hpp).
#include "ops/job_model.hpp"
#include "ops/lease_owner.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace shipchips;
using namespace shipchips::ops;
using namespace std::chrono_literals;

TEST(OpsRetryPolicy, DoublesFromTheInitialBackoffWithTenPercentJitterUpToTheCap) {
  RetryPolicy p;  // 5 min, cap 24 h
  EXPECT_EQ(p.delay(1, 0.5), 300s);
  EXPECT_EQ(p.delay(1, 0.0), 270s);
  EXPECT_EQ(p.delay(1, 1.0), 330s);
  EXPECT_EQ(p.delay(2, 0.5), 600s);
  EXPECT_EQ(p.delay(4, 0.5), 2400s);
  EXPECT_EQ(p.delay(20, 0.5), 86400s);   // capped
  EXPECT_EQ(p.delay(200, 1.0), 95040s);  // the cap, +10 %, no overflow
  EXPECT_EQ(p.delay(0, 0.5), 300s);      // counts as the first
}

TEST(OpsRetryPolicy, ComesFromTheOpsSection) {
  OpsConfig ops;
  ops.max_retries = 3;
  ops.initial_backoff_min = 0.5;
  ops.max_backoff_hours = 2;
  const RetryPolicy p = retry_policy_from(ops);
  EXPECT_EQ(p.max_retries, 3);
  EXPECT_EQ(p.initial_backoff, 30s);
  EXPECT_EQ(p.max_backoff, 7200s);
}

TEST(OpsLeaseOwner, ThisProcessIsAliveAndParses) {
  const std::string& me = this_owner();
  const auto id = parse_owner(me);
  ASSERT_TRUE(id) << me;
  EXPECT_EQ(id->pid, static_cast<long>(::getpid()));
  EXPECT_GT(id->start_ticks, 0u);
  EXPECT_FALSE(owner_is_dead(me));
}

TEST(OpsLeaseOwner, AnExitedChildIsDeadAReusedPidIsDeadOtherHostsAreNot) {
  const pid_t child = ::fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ::waitpid(child, &status, 0);
  const auto me = *parse_owner(this_owner());
  const std::string child_owner = me.host + ":" + std::to_string(child) + ":" + std::to_string(me.start_ticks);
  EXPECT_TRUE(owner_is_dead(child_owner));
  // Our own pid with another start time: the pid was reused by a different process.
  EXPECT_TRUE(owner_is_dead(me.host + ":" + std::to_string(me.pid) + ":" + std::to_string(me.start_ticks + 1)));
  EXPECT_FALSE(owner_is_dead("some-other-host:" + std::to_string(child) + ":1"));
  EXPECT_FALSE(owner_is_dead("not an owner"));
  EXPECT_FALSE(owner_is_dead(""));
  EXPECT_FALSE(parse_owner("h:0:1"));
  EXPECT_FALSE(parse_owner("h:12:x"));
  EXPECT_EQ(dead_owners({this_owner(), child_owner}), std::vector<std::string>{child_owner});
}
