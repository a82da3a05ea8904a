// For tests: a minimal XML well-formedness check, enough to catch what a
// hand-written SVG writer gets wrong (unbalanced or mismatched tags,
// unescaped & or <, unquoted attributes, stray text outside the root).
#ifndef TACO_CLI_XML_TEST_UTIL_H_
#define TACO_CLI_XML_TEST_UTIL_H_

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace taco {
namespace testing_xml {

inline bool NameChar(char c, bool first) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (std::isalpha(u) || c == '_' || c == ':') return true;
  return !first && (std::isdigit(u) || c == '-' || c == '.');
}

// An entity reference at `at` (which holds '&'): its length, or 0.
inline size_t EntityLength(absl::string_view s, size_t at) {
  for (absl::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
    if (absl::StartsWith(s.substr(at), e)) return e.size();
  }
  if (absl::StartsWith(s.substr(at), "&#")) {
    size_t i = at + 2;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i > at + 2 && i < s.size() && s[i] == ';') return i + 1 - at;
  }
  return 0;
}

// Empty when `xml` is well-formed; otherwise what is wrong and where.
inline std::string XmlProblem(absl::string_view xml) {
  std::vector<std::string> open;
  bool root_done = false;
  size_t i = 0;
  auto where = [&xml](size_t at) {
    return absl::StrCat(" at offset ", at, ": '", xml.substr(at, 40), "'");
  };
  while (i < xml.size()) {
    const char c = xml[i];
    if (c == '<') {
      if (absl::StartsWith(xml.substr(i), "<?")) {
        const size_t end = xml.find("?>", i);
        if (end == absl::string_view::npos) return "unterminated <?" + where(i);
        if (!open.empty() || root_done || i != 0)
          return "processing instruction not first" + where(i);
        i = end + 2;
        continue;
      }
      if (absl::StartsWith(xml.substr(i), "<!--")) {
        const size_t end = xml.find("-->", i);
        if (end == absl::string_view::npos) return "unterminated comment" + where(i);
        i = end + 3;
        continue;
      }
      const bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
      size_t j = i + (closing ? 2 : 1);
      const size_t name_start = j;
      if (j >= xml.size() || !NameChar(xml[j], true)) return "bad tag name" + where(i);
      while (j < xml.size() && NameChar(xml[j], false)) ++j;
      const std::string name(xml.substr(name_start, j - name_start));
      if (closing) {
        while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
        if (j >= xml.size() || xml[j] != '>') return "bad closing tag" + where(i);
        if (open.empty() || open.back() != name) {
          return absl::StrCat("closing </", name, "> does not match <",
                              open.empty() ? "" : open.back(), ">", where(i));
        }
        open.pop_back();
        if (open.empty()) root_done = true;
        i = j + 1;
        continue;
      }
      if (root_done && open.empty()) return "a second root element" + where(i);
      // Attributes: name="value" separated by whitespace.
      bool self_closing = false;
      while (true) {
        const size_t before = j;
        while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
        if (j >= xml.size()) return "unterminated tag" + where(i);
        if (xml[j] == '>') break;
        if (xml[j] == '/') {
          if (j + 1 >= xml.size() || xml[j + 1] != '>') return "bad '/' in tag" + where(i);
          self_closing = true;
          ++j;
          break;
        }
        if (j == before) return "attributes need whitespace between them" + where(j);
        if (!NameChar(xml[j], true)) return "bad attribute name" + where(j);
        while (j < xml.size() && NameChar(xml[j], false)) ++j;
        if (j + 1 >= xml.size() || xml[j] != '=' || (xml[j + 1] != '"' && xml[j + 1] != '\'')) {
          return "attribute without a quoted value" + where(j);
        }
        const char quote = xml[j + 1];
        j += 2;
        while (j < xml.size() && xml[j] != quote) {
          if (xml[j] == '<') return "'<' in an attribute value" + where(j);
          if (xml[j] == '&') {
            const size_t n = EntityLength(xml, j);
            if (n == 0) return "unescaped '&' in an attribute value" + where(j);
            j += n;
            continue;
          }
          ++j;
        }
        if (j >= xml.size()) return "unterminated attribute value" + where(i);
        ++j;
      }
      if (self_closing) {
        if (open.empty()) root_done = true;
      } else {
        open.push_back(name);
      }
      i = j + 1;
      continue;
    }
    if (c == '&') {
      const size_t n = EntityLength(xml, i);
      if (n == 0) return "unescaped '&' in text" + where(i);
      i += n;
      if (open.empty()) return "text outside the root element" + where(i);
      continue;
    }
    if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) {
      return "text outside the root element" + where(i);
    }
    ++i;
  }
  if (!open.empty()) return absl::StrCat("<", open.back(), "> is never closed");
  if (!root_done) return "no root element";
  return "";
}

// How often `what` occurs in `text` (overlaps counted): elements of a kind.
inline int Count(absl::string_view text, absl::string_view what) {
  int n = 0;
  for (size_t at = text.find(what); at != absl::string_view::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace testing_xml
}  // namespace taco

#endif  // TACO_CLI_XML_TEST_UTIL_H_
