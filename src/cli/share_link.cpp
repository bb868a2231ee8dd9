#include "cli/share_link.h"

#include <zlib.h>

#include <cctype>
#include <cstring>

namespace scalecalc {
namespace {

constexpr std::string_view kSchemeTag = "s1.";

int Base64UrlDigit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Strict: only the 64 characters, no padding, zero leftover bits.
bool Base64UrlDecode(std::string_view text, std::vector<uint8_t>* out, std::string* error) {
  if (text.size() % 4 == 1) {
    *error = "the link is truncated or damaged (its length is impossible)";
    return false;
  }
  out->clear();
  out->reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int d = Base64UrlDigit(static_cast<unsigned char>(text[i]));
    if (d < 0) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      const std::string shown = c >= 0x20 && c < 0x7f ? "\"" + std::string(1, text[i]) + "\""
                                                      : "byte " + std::to_string(c);
      *error = "the link is damaged (character " + shown + " at position " + std::to_string(i + 1) +
               " is not allowed)";
      return false;
    }
    acc = ((acc << 6) | static_cast<uint32_t>(d)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    *error = "the link is damaged (its last character is not possible)";
    return false;
  }
  return true;
}

// Raw inflate, stopped as soon as the output passes `max_bytes` (a "zip bomb" costs bounded
// memory and time).
bool InflateRawBounded(const uint8_t* data, size_t size, size_t max_bytes,
                       std::vector<uint8_t>* out, std::string* error) {
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
    *error = "the link could not be read (no memory to decompress it)";
    return false;
  }
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = static_cast<uInt>(size);
  out->clear();
  uint8_t chunk[1 << 16];
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = chunk;
    stream.avail_out = sizeof(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    const size_t got = sizeof(chunk) - stream.avail_out;
    if (status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && got > 0)) {
      inflateEnd(&stream);
      *error = status == Z_BUF_ERROR ? "the link is truncated (its compressed data ends early)"
                                     : "the link is damaged (its compressed data is not valid)";
      return false;
    }
    if (out->size() + got > max_bytes) {
      inflateEnd(&stream);
      *error = "the link expands to more than " + std::to_string(max_bytes) + " bytes; refused";
      return false;
    }
    out->insert(out->end(), chunk, chunk + got);
  }
  const bool trailing = stream.avail_in > 0;
  inflateEnd(&stream);
  if (trailing) {
    *error = "the link is damaged (data follows its compressed data)";
    return false;
  }
  return true;
}

}  // namespace

bool LooksLikeLink(std::string_view text) {
  return text.find('#') != std::string_view::npos ||
         text.substr(0, kSchemeTag.size()) == kSchemeTag;
}

bool StateBytesFromLink(std::string_view text, std::vector<uint8_t>* bytes, std::string* error) {
  // Before any other work: the cost of every later step grows with the length.
  if (text.size() > kMaxLinkChars + 64 * 1024) {
    *error = "the link is too long (" + std::to_string(text.size()) + " characters; limit " +
             std::to_string(kMaxLinkChars) + ")";
    return false;
  }
  const size_t hash = text.find('#');
  if (hash != std::string_view::npos) text.remove_prefix(hash + 1);
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f') compact.push_back(c);
  }
  if (compact.empty()) {
    *error = "the link is empty (nothing after #)";
    return false;
  }
  if (compact.compare(0, kSchemeTag.size(), kSchemeTag) != 0) {
    size_t tag = 0;
    while (tag < compact.size() && tag < 8 &&
           std::isalnum(static_cast<unsigned char>(compact[tag])))
      ++tag;
    if (tag > 0 && tag < compact.size() && compact[tag] == '.' &&
        std::isalpha(static_cast<unsigned char>(compact[0]))) {
      *error = "this link uses an encoding ('" + compact.substr(0, tag) +
               "') this scalecalc cannot read; it may come from a newer scalecalc";
    } else {
      *error = "not a scalecalc link (it does not start with 's1.')";
    }
    return false;
  }
  const std::string_view body = std::string_view(compact).substr(kSchemeTag.size());
  if (body.size() > kMaxLinkChars) {
    *error = "the link is too long (" + std::to_string(body.size()) + " characters; limit " +
             std::to_string(kMaxLinkChars) + ")";
    return false;
  }
  std::vector<uint8_t> framed;
  if (!Base64UrlDecode(body, &framed, error)) return false;
  // 4 bytes of checksum, then at least one byte of deflate data.
  if (framed.size() < 5) {
    *error = "the link is truncated (too short)";
    return false;
  }
  const uint32_t expected =
      static_cast<uint32_t>(framed[0]) | static_cast<uint32_t>(framed[1]) << 8 |
      static_cast<uint32_t>(framed[2]) << 16 | static_cast<uint32_t>(framed[3]) << 24;
  if (!InflateRawBounded(framed.data() + 4, framed.size() - 4, kMaxLinkStateBytes, bytes, error))
    return false;
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), bytes->data(), static_cast<uInt>(bytes->size()));
  if (static_cast<uint32_t>(crc) != expected) {
    *error = "the link is damaged (its checksum does not match)";
    return false;
  }
  return true;
}

}  // namespace scalecalc
