// doctest's main() for every test executable, with one guard added. CTest runs each case alone,
// by name (--test-case=<name>, doctest_discover_tests). A name that does not reach doctest whole
// (CMake splits it at a ';') matches no case, and doctest would report success having run
// nothing. Here a run that asks for cases by name and runs none fails, and says why.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>
#include <iostream>

namespace {

int g_cases_run = -1;  // test cases that passed the filters in the last run; -1: no run yet

// A listener (it prints nothing) that keeps the count of the cases a run selected.
struct CountSelectedCases : doctest::IReporter {
  explicit CountSelectedCases(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    g_cases_run = static_cast<int>(stats.numTestCasesPassingFilters);
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("count_selected_cases", 1, CountSelectedCases);

bool asks_for_cases_by_name(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    for (const char* flag : {"--test-case=", "-tc=", "--dt-test-case=", "-dt-tc="}) {
      if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0) return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;  // --help, --list-test-cases and other queries
  if (g_cases_run == 0 && asks_for_cases_by_name(argc, argv)) {
    std::cerr << "doctest_main: no test case has the name asked for, so nothing ran. A name with a "
                 "';' reaches the test split in two by CMake: rename the test case.\n";
    return 1;
  }
  return result;
}
