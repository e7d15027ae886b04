#include "storage/key_codec.h"

namespace tessera::storage {

void PutFixed64BE(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

bool GetFixed64BE(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) {
    r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  }
  in->remove_prefix(8);
  *v = r;
  return true;
}

KeyBuilder& KeyBuilder::U8(uint8_t v) {
  key_.push_back(static_cast<char>(v));
  return *this;
}

KeyBuilder& KeyBuilder::U32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    key_.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return *this;
}

KeyBuilder& KeyBuilder::U64(uint64_t v) {
  PutFixed64BE(&key_, v);
  return *this;
}

KeyBuilder& KeyBuilder::I64(int64_t v) {
  return U64(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}

KeyBuilder& KeyBuilder::String(std::string_view s) {
  for (char c : s) {
    key_.push_back(c);
    if (c == '\0') key_.push_back('\xff');
  }
  key_.push_back('\0');
  key_.push_back('\x01');
  return *this;
}

KeyBuilder& KeyBuilder::Raw(std::string_view s) {
  key_.append(s);
  return *this;
}

bool KeyReader::U8(uint8_t* v) {
  if (rest_.empty()) return false;
  *v = static_cast<uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  return true;
}

bool KeyReader::U32(uint32_t* v) {
  if (rest_.size() < 4) return false;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r = (r << 8) | static_cast<uint8_t>(rest_[i]);
  rest_.remove_prefix(4);
  *v = r;
  return true;
}

bool KeyReader::U64(uint64_t* v) { return GetFixed64BE(&rest_, v); }

bool KeyReader::I64(int64_t* v) {
  uint64_t u;
  if (!U64(&u)) return false;
  *v = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  return true;
}

bool KeyReader::String(std::string* s) {
  s->clear();
  size_t i = 0;
  while (i < rest_.size()) {
    char c = rest_[i];
    if (c != '\0') {
      s->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= rest_.size()) return false;
    char next = rest_[i + 1];
    if (next == '\xff') {
      s->push_back('\0');
      i += 2;
    } else if (next == '\x01') {
      rest_.remove_prefix(i + 2);
      return true;
    } else {
      return false;
    }
  }
  return false;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char last = static_cast<unsigned char>(s.back());
    if (last != 0xff) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

}  // namespace tessera::storage
