#include "../support/file_size_limit.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

using namespace shipchips;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("shipchips_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::size_t count_entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}
}  // namespace

TEST(CoreAtomicFile, WritesReplacesAndLeavesNoTemporary) {
  fs::path dir = fresh_dir("atomic1");
  fs::path target = dir / "sub" / "index.json";
  write_file_atomic(target, "first");
  EXPECT_EQ(slurp(target), "first");
  write_file_atomic(target, "second, longer");
  EXPECT_EQ(slurp(target), "second, longer");
  EXPECT_EQ(count_entries(target.parent_path()), 1u);
  fs::remove_all(dir);
}

TEST(CoreAtomicFile, UncommittedOutputIsRemovedAndTargetUntouched) {
  fs::path dir = fresh_dir("atomic2");
  fs::path target = dir / "chip.tif";
  write_file_atomic(target, "old");
  {
    AtomicOutput out(target);
    EXPECT_EQ(out.temp_path().parent_path(), dir);
    EXPECT_EQ(out.temp_path().extension(), ".tif");
    std::ofstream(out.temp_path()) << "half";
  }
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(count_entries(dir), 1u);
  {
    AtomicOutput out(target);
    std::ofstream(out.temp_path()) << "new";
    out.commit();
  }
  EXPECT_EQ(slurp(target), "new");
  EXPECT_EQ(count_entries(dir), 1u);
  fs::remove_all(dir);
}

TEST(CoreAtomicFile, UnwritableFolderIsAnIoError) {
  fs::path dir = fresh_dir("atomic3");
  fs::path file = dir / "plain";
  write_file_atomic(file, "x");
  try {
    write_file_atomic(file / "below" / "out.json", "y");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_error);
    EXPECT_NE(std::string(e.what()).find("plain"), std::string::npos);
  }
  AtomicOutput never(dir / "never.tif");
  EXPECT_THROW(never.commit(), Error);
  fs::remove_all(dir);
}

TEST(CoreAtomicFile, TemporaryNameHoldsTheExtensionOnceAndLast) {
  // GDAL's XLSX writer goes through /vsizip/, which cuts a path at the first ".xlsx": a
  // temporary ".x.xlsx.tmp.1.xlsx" could not be saved (the snapshot writer failed that way).
  const fs::path dir = fresh_dir("atomic_ext");
  AtomicOutput out(dir / "ais_overpass_31UFU.xlsx");
  const std::string name = out.temp_path().filename().string();
  EXPECT_EQ(name.find(".xlsx"), name.size() - 5) << name;
  EXPECT_EQ(name.rfind(".ais_overpass_31UFU.tmp.", 0), 0u) << name;
  fs::remove_all(dir);
}

TEST(CoreAtomicFile, MakeDirectoriesNamesTheFolderItCannotCreate) {
  const fs::path dir = fresh_dir("atomic_mkdir");
  std::ofstream(dir / "file") << "x";
  try {
    make_directories(dir / "file" / "sub");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_error);
    EXPECT_NE(std::string(e.what()).find((dir / "file" / "sub").string()), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(CoreAtomicFile, FullDiskNamesTheFileNotItsTemporaryAndKeepsTheOldContent) {
  const fs::path dir = fresh_dir("atomic_full");
  const fs::path target = dir / "plan.csv";
  write_file_atomic(target, "old");
  try {
    const shipchips::testing::FileSizeLimit limit(8);
    write_file_atomic(target, std::string(64, 'x'));
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), ErrorCode::io_error);
    EXPECT_EQ(what.rfind(target.string() + ": write failed: ", 0), 0u) << what;
    EXPECT_EQ(what.find(".tmp."), std::string::npos) << what;
  }
  EXPECT_EQ(slurp(target), "old");
  EXPECT_EQ(count_entries(dir), 1u);  // no temporary left
  fs::remove_all(dir);
}

TEST(CoreAtomicFile, StaleTemporariesOfDeadWritersAreSweptLiveOnesAndOtherFilesStay) {
  const fs::path dir = fresh_dir("atomic_sweep");
  fs::create_directories(dir / "chips" / "train");
  // A pid that is surely not running: a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0) _exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string dead = std::to_string(child);
  const std::string live = std::to_string(::getpid());
  auto touch = [&](const fs::path& p) { std::ofstream(p) << "x"; };
  touch(dir / "chips" / "train" / (".abc.tmp." + dead + ".123.4.tif"));
  touch(dir / ("." + std::string("abc_quicklook.tmp.") + dead + ".9.0.jpg"));
  touch(dir / (".manifest.tmp." + live + ".1.2.json"));  // ours: a writer at work
  touch(dir / ("notes.tmp." + dead + ".1.2.txt"));       // not hidden: not one of ours
  touch(dir / (".x.tmp." + dead + ".1.2extra"));         // not the form
  touch(dir / "chips" / "train" / "abc.tif");
  const auto removed = remove_stale_temporaries(dir);
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_FALSE(fs::exists(dir / "chips" / "train" / (".abc.tmp." + dead + ".123.4.tif")));
  EXPECT_TRUE(fs::exists(dir / (".manifest.tmp." + live + ".1.2.json")));
  EXPECT_TRUE(fs::exists(dir / ("notes.tmp." + dead + ".1.2.txt")));
  EXPECT_TRUE(fs::exists(dir / (".x.tmp." + dead + ".1.2extra")));
  EXPECT_TRUE(fs::exists(dir / "chips" / "train" / "abc.tif"));
  EXPECT_TRUE(remove_stale_temporaries(dir / "missing").empty());
  fs::remove_all(dir);
}
