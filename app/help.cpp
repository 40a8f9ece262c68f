// Help text, the man page and shell completions, all from one description of the command line
// (help.hpp), so that they cannot disagree with each other or with the flags parsed.
#include "help.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "table.hpp"

namespace benchr {
namespace {

/// Where a flag's help starts in --help: wide enough for "--tokens-per-month N" and the indent.
constexpr std::size_t kHelpColumn = 26;

std::string flag_head(const FlagDoc& f) {
  std::string s;
  for (const auto& n : f.spellings) s += (s.empty() ? "" : ", ") + n;
  return f.value.empty() || f.positional ? s : s + " " + f.value;
}

/// "  --flag VALUE   help wrapped from kHelpColumn", the help on the next line when the head is long.
std::string flag_lines(const FlagDoc& f, std::size_t width) {
  const std::string head = "  " + flag_head(f);
  const std::string help = f.help.empty() ? "" : f.help;
  if (columns(head) + 2 > kHelpColumn)
    return head + "\n" + std::string(kHelpColumn, ' ') + wrap(help, kHelpColumn, kHelpColumn, width);
  return head + std::string(kHelpColumn - columns(head), ' ') + wrap(help, kHelpColumn, kHelpColumn, width);
}

std::string example_lines(const Example& e, const std::string& name, std::size_t width) {
  std::string s = "  " + wrap(name + " " + e.command, 2, 4, width);
  if (!e.what.empty()) s += "      " + wrap(e.what, 6, 6, width);
  return s;
}

const char* kExitStatus = "Exit status: 0 on success, 1 when the answer cannot be written, 2 on bad input "
                          "(the message names the flag, file or field).";

}  // namespace

std::string help_text(const CliDoc& doc, const CommandDoc* cmd, std::size_t width) {
  std::string s;
  if (!cmd) {
    s += wrap(doc.name + ": " + doc.summary, 0, 0, width);
    s += "\nUsage: " + doc.name + " [COMMAND] [flags]   (without a COMMAND it advises)\n";
    s += "\nCommands:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : doc.commands) rows.push_back({c.name, c.summary});
    std::string t = table({{""}, {"", false, 0, true}}, rows, width, 2);
    s += t.substr(t.find('\n') + 1);  // no heading row
    std::string group;
    for (const auto& f : doc.globals) {
      if (f.group != group) {
        group = f.group;
        s += "\n" + group + (group == "Program" ? " flags:\n" : " flags (any command that reads them):\n");
      }
      s += flag_lines(f, width);
    }
    s += "\nExamples:\n";
    for (std::size_t i = 0; i < doc.examples.size() && i < doc.help_examples; ++i)
      s += example_lines(doc.examples[i], doc.name, width);
    s += "\n" + wrap("'" + doc.name + " COMMAND --help' lists the flags each command honours, with an example; "
                     "`man " + doc.name + "` has them all, with more examples.",
                     0, 0, width);
    return s + wrap(kExitStatus, 0, 0, width);
  }
  std::string usage = doc.name + " " + cmd->name;
  for (const auto& f : cmd->flags)
    if (f.positional) usage += " " + f.spellings.front();
    else if (f.required) usage += " " + f.spellings.back() + " " + f.value;
  s += "Usage: " + wrap(usage + " [flags]", 7, 9, width);
  s += "\n" + wrap(cmd->summary, 0, 0, width);
  std::string group = "-";
  for (const auto& f : cmd->flags) {
    if (f.group != group) {
      group = f.group;
      s += group.empty() ? "\nFlags:\n" : "\n" + group + " flags:\n";
    }
    s += flag_lines(f, width);
  }
  if (!cmd->notes.empty()) s += "\n" + wrap(cmd->notes, 0, 0, width);
  for (const auto& e : cmd->examples) s += "\nExample:\n" + example_lines(e, doc.name, width);
  return s + "\n" + wrap(kExitStatus, 0, 0, width);
}

namespace {

/// Text for roff: backslashes escaped, a leading dot or quote made literal, hyphens of flags as \-.
std::string roff(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == '\\') s += "\\e";
    else if (c == '-') s += "\\-";
    else s += c;
  }
  if (!s.empty() && (s[0] == '.' || s[0] == '\'')) s.insert(0, "\\&");
  return s;
}

std::string man_flag(const FlagDoc& f) {
  std::string head;
  for (const auto& n : f.spellings) head += (head.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
  if (!f.value.empty() && !f.positional) head += " \\fI" + roff(f.value) + "\\fR";
  return ".TP\n" + head + "\n" + roff(f.help) + "\n";
}

}  // namespace

std::string man_page(const CliDoc& doc, std::string_view date) {
  std::string s = fmt::format(".TH BENCHR\\-ADVISE 1 \"{}\" \"{}\" \"User Commands\"\n", date, roff(doc.version));
  s += ".SH NAME\n" + roff(doc.name) + " \\- " + roff(doc.summary) + "\n";
  s += ".SH SYNOPSIS\n.B " + roff(doc.name) + "\n[\\fICOMMAND\\fR] [\\fIflags\\fR]\n";
  std::string summary = doc.summary;
  if (!summary.empty()) summary[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(summary[0])));
  s += ".SH DESCRIPTION\n" + roff(summary) +
       "\nWithout a \\fICOMMAND\\fR it advises (\\fBadvise\\fR). Every figure says where it came from; "
       "\\fB\\-\\-json\\fR prints one JSON document instead of text.\n";
  s += ".SH COMMANDS\n";
  for (const auto& c : doc.commands) {
    s += ".SS " + roff(c.name) + "\n" + roff(c.summary) + "\n";
    for (const auto& f : c.flags)
      if (f.group.empty()) s += man_flag(f);
    if (!c.global_groups.empty() || !c.global_flags.empty()) {
      std::string list;
      for (const auto& g : c.global_groups) list += (list.empty() ? "" : ", ") + g;
      for (const auto& g : c.global_flags) list += (list.empty() ? "" : ", ") + g;
      s += ".PP\nAlso the global flags (see OPTIONS) of: " + roff(list) + ".\n";
    }
    if (!c.notes.empty()) s += ".PP\n" + roff(c.notes) + "\n";
    for (const auto& e : c.examples)
      s += ".PP\nExample:\n.RS\n.nf\n" + roff(doc.name + " " + e.command) + "\n.fi\n" + roff(e.what) + "\n.RE\n";
  }
  std::string group;
  s += ".SH OPTIONS\n";
  for (const auto& f : doc.globals) {
    if (f.group != group) s += ".SS " + roff(group = f.group) + "\n";
    s += man_flag(f);
  }
  s += ".SH EXAMPLES\n";
  for (const auto& e : doc.examples)
    s += ".TP\n\\fB" + roff(doc.name + " " + e.command) + "\\fR\n" + roff(e.what) + "\n";
  s += ".SH ENVIRONMENT\n"
       ".TP\n\\fBCOLUMNS\\fR\nThe width text is wrapped to, when \\fB\\-\\-width\\fR is not given (else the "
       "terminal's, or 80 when the output is not a terminal).\n"
       ".TP\n\\fBNO_COLOR\\fR\nWhen set and not empty, no colour unless \\fB\\-\\-color always\\fR.\n"
       ".TP\n\\fBXDG_CACHE_HOME\\fR\nWhere the calibration cache lives (else ~/.cache).\n";
  s += ".SH FILES\n.TP\n\\fI$XDG_CACHE_HOME/benchr\\-advise/\\fR\nThis machine's calibration, per machine "
       "fingerprint (\\fBbenchr\\-advise calibrate\\fR measures again).\n";
  s += ".SH EXIT STATUS\n0 on success, 1 when the answer cannot be written (a full disk, a closed pipe), "
       "2 on bad input: the message names the flag, file and line, or field.\n";
  return s;
}

namespace {

std::string words(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& w : v) s += (s.empty() ? "" : " ") + w;
  return s;
}

/// Every flag of `c` that takes a value, and the ids or choices it completes with.
std::vector<const FlagDoc*> value_flags(const CliDoc& doc) {
  std::vector<const FlagDoc*> out;
  std::set<std::string> seen;
  const auto add = [&](const FlagDoc& f) {
    if (!f.positional && !f.value.empty() && seen.insert(f.spellings.back()).second) out.push_back(&f);
  };
  for (const auto& f : doc.globals) add(f);
  for (const auto& c : doc.commands)
    for (const auto& f : c.flags) add(f);
  return out;
}

std::vector<std::string> spellings(const CommandDoc& c) {
  std::vector<std::string> out;
  for (const auto& f : c.flags)
    if (!f.positional)
      for (const auto& n : f.spellings) out.push_back(n);
  out.push_back("--help");
  return out;
}

/// Without a subcommand: advise's flags and the program's own (--version, --man).
std::vector<std::string> top_spellings(const CliDoc& doc) {
  std::vector<std::string> out;
  for (const auto& c : doc.commands)
    if (c.name == "advise") out = spellings(c);
  for (const auto& f : doc.globals)
    if (f.group == "Program")
      for (const auto& n : f.spellings) out.push_back(n);
  return out;
}

std::string single_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string bash(const CliDoc& doc) {
  std::vector<std::string> names;
  for (const auto& c : doc.commands) names.push_back(c.name);
  std::string s = "# bash completion for " + doc.name + " (generated by `" + doc.name + " completion bash`)\n";
  s += "_benchr_advise() {\n";
  s += "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n";
  s += "  local models=" + single_quoted(words(doc.models)) + "\n";
  s += "  local quants=" + single_quoted(words(doc.quants)) + "\n";
  s += "  local hardware=" + single_quoted(words(doc.hardware)) + "\n";
  s += "  local hosts=" + single_quoted(words(doc.hosts)) + "\n";
  s += "  case $prev in\n";
  for (const FlagDoc* f : value_flags(doc)) {
    std::string words_of;
    switch (f->complete) {
      case Complete::model: words_of = "$models"; break;
      case Complete::quant: words_of = "auto $quants"; break;
      case Complete::hardware: words_of = "$hardware"; break;
      case Complete::host: words_of = "this $hosts"; break;
      case Complete::choices: words_of = words(f->choices); break;
      default: break;
    }
    std::string pattern;
    for (const auto& n : f->spellings) pattern += (pattern.empty() ? "" : "|") + n;
    if (f->complete == Complete::file)
      s += "    " + pattern + ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
    else if (!words_of.empty())
      s += "    " + pattern + ") COMPREPLY=($(compgen -W \"" + words_of + "\" -- \"$cur\")); return ;;\n";
    else
      s += "    " + pattern + ") return ;;\n";
  }
  s += "  esac\n";
  s += "  local sub= w\n";
  s += "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n";
  s += "    case $w in " + fmt::format("{}", fmt::join(names, "|")) + ") sub=$w; break ;; esac\n";
  s += "  done\n";
  s += "  local flags\n  case $sub in\n";
  s += "    '') flags=" + single_quoted(words(top_spellings(doc))) + " ;;\n";
  for (const auto& c : doc.commands) s += "    " + c.name + ") flags=" + single_quoted(words(spellings(c))) + " ;;\n";
  s += "  esac\n";
  s += "  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n";
  s += "  elif [[ -z $sub ]]; then\n    COMPREPLY=($(compgen -W " + single_quoted(words(names)) + " -- \"$cur\"))\n";
  s += "  else\n    case $sub in\n";
  for (const auto& c : doc.commands)
    for (const auto& f : c.flags) {
      if (!f.positional) continue;
      if (f.complete == Complete::file) s += "      " + c.name + ") COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n";
      else if (f.complete == Complete::machine_arg)
        s += "      " + c.name + ") COMPREPLY=($(compgen -W \"this $hardware\" -- \"$cur\")) ;;\n";
      else if (f.complete == Complete::choices)
        s += "      " + c.name + ") COMPREPLY=($(compgen -W " + single_quoted(words(f.choices)) + " -- \"$cur\")) ;;\n";
    }
  s += "    esac\n  fi\n}\n";
  s += "complete -F _benchr_advise " + doc.name + "\n";
  return s;
}

std::string zsh(const CliDoc& doc) {
  std::vector<std::string> names;
  for (const auto& c : doc.commands) names.push_back(c.name);
  std::string s = "#compdef " + doc.name + "\n# zsh completion for " + doc.name + " (generated by `" + doc.name +
                  " completion zsh`)\n";
  s += "_benchr_advise() {\n";
  s += "  local -a models quants hardware hosts flags\n";
  s += "  models=(" + words(doc.models) + ")\n";
  s += "  quants=(auto " + words(doc.quants) + ")\n";
  s += "  hardware=(" + words(doc.hardware) + ")\n";
  s += "  hosts=(this " + words(doc.hosts) + ")\n";
  s += "  local prev=${words[CURRENT-1]} cur=${words[CURRENT]}\n";
  s += "  case $prev in\n";
  for (const FlagDoc* f : value_flags(doc)) {
    std::string pattern;
    for (const auto& n : f->spellings) pattern += (pattern.empty() ? "" : "|") + n;
    switch (f->complete) {
      case Complete::model: s += "    (" + pattern + ") compadd -a models; return ;;\n"; break;
      case Complete::quant: s += "    (" + pattern + ") compadd -a quants; return ;;\n"; break;
      case Complete::hardware: s += "    (" + pattern + ") compadd -a hardware; return ;;\n"; break;
      case Complete::host: s += "    (" + pattern + ") compadd -a hosts; return ;;\n"; break;
      case Complete::file: s += "    (" + pattern + ") _files; return ;;\n"; break;
      case Complete::choices: s += "    (" + pattern + ") compadd " + words(f->choices) + "; return ;;\n"; break;
      default: s += "    (" + pattern + ") return ;;\n"; break;
    }
  }
  s += "  esac\n";
  s += "  local sub= w\n";
  s += "  for w in ${words[2,CURRENT-1]}; do\n";
  s += "    case $w in (" + fmt::format("{}", fmt::join(names, "|")) + ") sub=$w; break ;; esac\n";
  s += "  done\n";
  s += "  case $sub in\n";
  s += "    ('') flags=(" + words(top_spellings(doc)) + ") ;;\n";
  for (const auto& c : doc.commands) s += "    (" + c.name + ") flags=(" + words(spellings(c)) + ") ;;\n";
  s += "  esac\n";
  s += "  if [[ $cur == -* ]]; then\n    compadd -a flags\n";
  s += "  elif [[ -z $sub ]]; then\n    compadd " + words(names) + "\n";
  s += "  else\n    case $sub in\n";
  for (const auto& c : doc.commands)
    for (const auto& f : c.flags) {
      if (!f.positional) continue;
      if (f.complete == Complete::file) s += "      (" + c.name + ") _files ;;\n";
      else if (f.complete == Complete::machine_arg)
        s += "      (" + c.name + ") compadd this; compadd -a hardware ;;\n";
      else if (f.complete == Complete::choices) s += "      (" + c.name + ") compadd " + words(f.choices) + " ;;\n";
    }
  s += "    esac\n  fi\n}\n";
  // Autoloaded from $fpath the file is the function's body; sourced, it registers the function.
  s += "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then\n  _benchr_advise \"$@\"\nelse\n"
       "  compdef _benchr_advise " + doc.name + "\nfi\n";
  return s;
}

std::string fish(const CliDoc& doc) {
  const std::string c0 = "complete -c " + doc.name;
  std::string s = "# fish completion for " + doc.name + " (generated by `" + doc.name + " completion fish`)\n";
  s += c0 + " -f\n";
  std::string names;
  for (const auto& c : doc.commands) names += (names.empty() ? "" : " ") + c.name;
  for (const auto& c : doc.commands)
    s += c0 + " -n __fish_use_subcommand -a " + c.name + " -d " + single_quoted(c.summary.substr(0, 60)) + "\n";
  const auto ids = [&](Complete k, const FlagDoc& f) -> std::string {
    switch (k) {
      case Complete::model: return words(doc.models);
      case Complete::quant: return "auto " + words(doc.quants);
      case Complete::hardware: return words(doc.hardware);
      case Complete::host: return "this " + words(doc.hosts);
      case Complete::machine_arg: return "this " + words(doc.hardware);
      case Complete::choices: return words(f.choices);
      default: return "";
    }
  };
  for (const auto& f : doc.globals)
    if (f.group == "Program") s += c0 + " -n __fish_use_subcommand -l " + f.spellings.back().substr(2) + " -d " +
                                   single_quoted(f.help.substr(0, 60)) + "\n";
  for (const auto& c : doc.commands) {
    // advise is also what runs with no subcommand.
    const std::string when = c.name == "advise"
                                 ? "'__fish_use_subcommand; or __fish_seen_subcommand_from advise'"
                                 : "'__fish_seen_subcommand_from " + c.name + "'";
    for (const auto& f : c.flags) {
      std::string line = c0 + " -n " + when;
      if (f.positional) {
        if (f.complete == Complete::file) line += " -F";
        else line += " -a " + single_quoted(ids(f.complete, f));
        s += line + "\n";
        continue;
      }
      for (const auto& n : f.spellings) line += n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1);
      if (f.complete == Complete::file) line += " -r -F";
      else if (!f.value.empty()) {
        const std::string choices = ids(f.complete, f);
        line += choices.empty() ? " -x" : " -x -a " + single_quoted(choices);
      }
      s += line + " -d " + single_quoted(f.help.substr(0, 60)) + "\n";
    }
  }
  return s;
}

}  // namespace

std::string completion_script(const CliDoc& doc, std::string_view shell) {
  if (shell == "bash") return bash(doc);
  if (shell == "zsh") return zsh(doc);
  if (shell == "fish") return fish(doc);
  return "";
}

}  // namespace benchr
