// The command line described as data (cli.cpp fills it from its CLI11 declarations) and what is
// made from that one description: each subcommand's --help, the man page, shell completions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace benchr {

/// What completes a flag's value in a shell.
enum class Complete { none, model, quant, hardware, host, machine_arg, file, choices };

struct FlagDoc {
  std::vector<std::string> spellings;  ///< "-v", "--verbose"; a positional's name ("PATH")
  std::string value;                   ///< the value's name ("ID", "N"); empty for a switch
  std::string help;
  std::string group;                   ///< Output, Machine, Catalog, Workload; empty: the subcommand's own
  bool positional = false;
  bool required = false;
  Complete complete = Complete::none;
  std::vector<std::string> choices;    ///< with Complete::choices
};

struct Example {
  std::string command;  ///< without the leading "benchr-advise "
  std::string what;
};

struct CommandDoc {
  std::string name, summary;
  std::vector<FlagDoc> flags;    ///< its own, then the global ones it honours
  std::vector<std::string> global_groups, global_flags;  ///< which: whole groups, and single flags
  std::vector<Example> examples; ///< one for its --help
  std::string notes;             ///< what else its --help says, a paragraph
};

struct CliDoc {
  std::string name = "benchr-advise";
  std::string summary;
  std::string version;           ///< the --version line
  std::vector<FlagDoc> globals;  ///< every global flag, by group
  std::vector<CommandDoc> commands;
  std::vector<Example> examples; ///< the man page's; the first `help_examples` the top-level --help's
  std::size_t help_examples = 5;
  std::vector<std::string> models, quants, hardware, hosts;  ///< catalog ids, for completion
};

/// `--help`: usage, summary, flags with their help wrapped to `width` columns, the example(s),
/// the exit status. `command` null: the top level (subcommands and the global flags).
std::string help_text(const CliDoc& doc, const CommandDoc* command, std::size_t width);
/// The man page, roff (man(7) macros), section 1: every subcommand with its flags and example,
/// the global flags, environment, files, exit status.
std::string man_page(const CliDoc& doc, std::string_view date);
/// A completion script for `shell` (bash, zsh or fish): subcommands, each one's flags, and the
/// catalog's model, quant and hardware ids for --model, --quant, --hardware, --host and compare.
/// Empty for another shell.
std::string completion_script(const CliDoc& doc, std::string_view shell);

}  // namespace benchr
