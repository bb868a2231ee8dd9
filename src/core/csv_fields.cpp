#include "core/csv_fields.h"

#include <algorithm>

namespace scalecalc {
namespace csv_internal {

namespace {

bool IsSpaceOrTab(char c) {
  return c == ' ' || c == '\t';
}

// Spaces around a field; a tab is only trimmed when it is not the separator.
bool IsPadding(char c, char delimiter) {
  return IsSpaceOrTab(c) && c != delimiter;
}

// Length of the valid UTF-8 sequence at s[i] (2 to 4), or 0 if the bytes there are not one.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    length = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    length = 3;
    if (b == 0xE0) low = 0xA0;   // overlong
    if (b == 0xED) high = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    length = 4;
    if (b == 0xF0) low = 0x90;   // overlong
    if (b == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

bool LineCursor::Next(Line* line) {
  if (pos_ >= text_.size()) return false;
  const size_t begin = pos_;
  size_t end = begin;
  while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
  pos_ = end;
  if (pos_ < text_.size()) {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
  }
  line->text = text_.substr(begin, end - begin);
  line->number = ++number_;
  return true;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (!IsSpaceOrTab(c)) return false;
  }
  return true;
}

bool IsComment(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsSpaceOrTab(line[i])) ++i;
  if (i < line.size() && line[i] == '#') return true;
  return i + 1 < line.size() && line[i] == '/' && line[i + 1] == '/';
}

bool SplitFields(std::string_view line, char delimiter, Fields* fields, SplitError* error) {
  fields->count = 0;
  const size_t n = line.size();
  size_t i = 0;
  while (true) {
    if (fields->count == fields->items.size()) fields->items.emplace_back();
    std::string& field = fields->items[fields->count++];
    field.clear();
    const int column = static_cast<int>(fields->count);
    while (i < n && IsPadding(line[i], delimiter)) ++i;
    if (i < n && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        // Copy the run up to the next quote in one go.
        size_t next = line.find('"', i);
        if (next == std::string_view::npos) next = n;
        field.append(line.data() + i, next - i);
        i = next;
        if (i >= n) break;
        if (i + 1 < n && line[i + 1] == '"') {
          field += '"';
          i += 2;
        } else {
          ++i;
          closed = true;
          break;
        }
      }
      if (!closed) {
        error->column = column;
        error->message = "unterminated quote: the quoted field does not end on this line";
        return false;
      }
      while (i < n && IsPadding(line[i], delimiter)) ++i;
      if (i < n && line[i] != delimiter) {
        error->column = column;
        error->message = "unexpected text after a closing quote: " +
                         Quote(line.substr(i, line.find(delimiter, i) - i));
        return false;
      }
    } else {
      size_t end = line.find(delimiter, i);
      if (end == std::string_view::npos) end = n;
      size_t last = end;
      while (last > i && IsPadding(line[last - 1], delimiter)) --last;
      field.assign(line.data() + i, last - i);
      i = end;
    }
    if (i >= n) return true;
    ++i;  // the delimiter; a delimiter at the very end opens one more, empty field
  }
}

int CountOutsideQuotes(std::string_view line, char delimiter) {
  int count = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;  // "" inside quotes toggles twice: no effect
    } else if (c == delimiter && !quoted) {
      ++count;
    }
  }
  return count;
}

std::string Quote(std::string_view text, size_t max_chars) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t i = 0;
  while (i < text.size()) {
    if (out.size() > max_chars) {
      out += "...";
      break;
    }
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
      ++i;
    } else if (b >= 0x20 && b < 0x7f) {
      out += static_cast<char>(b);
      ++i;
    } else if (const size_t length = b >= 0x80 ? Utf8Length(text, i) : 0; length > 0) {
      out.append(text.data() + i, length);
      i += length;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
      ++i;
    }
  }
  out += '"';
  return out;
}

namespace {

constexpr int kMaxDictDepth = 32;

class PyDictParser {
 public:
  PyDictParser(std::string_view text, std::vector<DictEntry>* entries)
      : text_(text), entries_(entries) {}

  bool ParseTop() {
    SkipSpaces();
    if (pos_ == text_.size()) return true;  // blank: no keys
    if (text_[pos_] != '{') return Fail("a dict starts with '{'");
    if (!ParseDict(std::string(), 1)) return false;
    SkipSpaces();
    if (pos_ != text_.size()) return Fail("text after the dict's closing '}'");
    return true;
  }
  const std::string& error() const { return error_; }
  size_t offset() const { return error_offset_; }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_offset_ = std::min(pos_, text_.size());
    }
    return false;
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }

  // 'text' or "text", with backslash escapes of quotes and backslashes; other escapes kept.
  bool ParseString(std::string* out) {
    const char quote = text_[pos_++];
    out->clear();
    while (!AtEnd()) {
      const char c = text_[pos_++];
      if (c == quote) return true;
      if (c == '\\' && !AtEnd()) {
        const char next = text_[pos_++];
        if (next == quote || next == '\\') {
          *out += next;
        } else if (next == 'n') {
          *out += '\n';
        } else if (next == 't') {
          *out += '\t';
        } else {
          *out += '\\';
          *out += next;
        }
        continue;
      }
      *out += c;
    }
    return Fail("a string is not closed");
  }

  // A list or tuple, kept as written (brackets balanced, strings skipped).
  bool ParseSequence(std::string* out, int depth) {
    const size_t begin = pos_;
    std::string stack;
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == '\'' || c == '"') {
        std::string unused;
        if (!ParseString(&unused)) return false;
        continue;
      }
      ++pos_;
      if (c == '[' || c == '(' || c == '{') {
        if (depth + static_cast<int>(stack.size()) > kMaxDictDepth) {
          return Fail("nested deeper than " + std::to_string(kMaxDictDepth) + " levels");
        }
        stack += c == '[' ? ']' : (c == '(' ? ')' : '}');
      } else if (c == ']' || c == ')' || c == '}') {
        if (stack.empty() || stack.back() != c) {
          --pos_;
          return Fail(std::string("unbalanced '") + c + "'");
        }
        stack.pop_back();
        if (stack.empty()) {
          *out = std::string(text_.substr(begin, pos_ - begin));
          return true;
        }
      }
    }
    return Fail("a list is not closed");
  }

  // A bare word or number up to the next ',', '}' or ':' outside brackets.
  bool ParseScalar(std::string* out) {
    const size_t begin = pos_;
    int parens = 0;  // np.float64(0.5)
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == '(') ++parens;
      if (c == ')') {
        if (parens == 0) break;
        --parens;
      }
      if (parens == 0 &&
          (c == ',' || c == '}' || c == ':' || c == ']' || c == '{' || c == ' ' || c == '\t')) {
        break;
      }
      ++pos_;
    }
    const std::string_view word = text_.substr(begin, pos_ - begin);
    if (word.empty()) return Fail("a value is missing");
    if (word == "True") {
      *out = "true";
    } else if (word == "False") {
      *out = "false";
    } else if (word == "None") {
      out->clear();
    } else {
      *out = std::string(word);
    }
    return true;
  }

  bool ParseDict(const std::string& prefix, int depth) {
    if (depth > kMaxDictDepth) {
      return Fail("nested deeper than " + std::to_string(kMaxDictDepth) + " levels");
    }
    ++pos_;  // '{'
    SkipSpaces();
    if (!AtEnd() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpaces();
      if (AtEnd()) return Fail("the dict is not closed: '}' is missing");
      std::string key;
      if (text_[pos_] == '\'' || text_[pos_] == '"') {
        if (!ParseString(&key)) return false;
      } else if (!ParseScalar(&key)) {
        return false;
      }
      SkipSpaces();
      if (AtEnd() || text_[pos_] != ':') return Fail("':' expected after a key");
      ++pos_;
      SkipSpaces();
      if (AtEnd()) return Fail("a value is missing");
      const std::string name = prefix + key;
      const char c = text_[pos_];
      if (c == '{') {
        if (!ParseDict(name + ".", depth + 1)) return false;
      } else {
        std::string value;
        if (c == '\'' || c == '"') {
          if (!ParseString(&value)) return false;
        } else if (c == '[' || c == '(') {
          if (!ParseSequence(&value, depth)) return false;
        } else if (!ParseScalar(&value)) {
          return false;
        }
        entries_->push_back({name, std::move(value)});
      }
      SkipSpaces();
      if (AtEnd()) return Fail("the dict is not closed: '}' is missing");
      if (text_[pos_] == ',') {
        ++pos_;
        SkipSpaces();
        if (!AtEnd() && text_[pos_] == '}') {  // a trailing comma
          ++pos_;
          return true;
        }
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail("',' or '}' expected after a value");
    }
  }

  std::string_view text_;
  std::vector<DictEntry>* entries_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_offset_ = 0;
};

}  // namespace

bool FlattenPyDict(std::string_view cell, std::vector<DictEntry>* entries, std::string* error,
                   size_t* offset) {
  entries->clear();
  PyDictParser parser(cell, entries);
  if (parser.ParseTop()) return true;
  entries->clear();
  *error = parser.error();
  *offset = parser.offset();
  return false;
}

}  // namespace csv_internal
}  // namespace scalecalc
