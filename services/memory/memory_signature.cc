#include "services/memory/memory_signature.h"

#include <algorithm>
#include <utility>

#include "services/memory/memory_keys.h"

namespace tessera::memory {

size_t Signature::Bytes() const {
  // The object, its two buffers, the shared_ptr's block and the map slot.
  return sizeof(Signature) + 48 + words_hashed.capacity() * sizeof(uint32_t) +
         chars.capacity() * sizeof(char32_t);
}

std::vector<uint32_t> HashedWords(const ScoreForm& form) {
  std::vector<uint32_t> out;
  out.reserve(static_cast<size_t>(form.words));
  for (const Token& t : form.tokens) {
    if (t.kind == TokenKind::kWord) {
      out.push_back(static_cast<uint32_t>(Hash64(t.folded)));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Signature MakeSignature(const ScoreForm& form) {
  Signature s;
  s.words = form.words;
  s.numbers = form.numbers;
  s.codes = form.codes;
  s.puncts = form.puncts;
  s.weight = form.weight;
  s.length = static_cast<uint32_t>(form.chars.size());
  s.words_hashed = HashedWords(form);
  s.words_hashed.shrink_to_fit();
  if (form.chars.size() <= Signature::kMaxChars) s.chars = form.chars;
  return s;
}

int SharedCount(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  int n = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++n;
      ++i;
      ++j;
    }
  }
  return n;
}

CharPattern::CharPattern(std::u32string_view pattern)
    : m_(static_cast<int>(pattern.size())) {
  std::fill(std::begin(used_), std::end(used_), false);
  for (size_t i = 0; i < pattern.size() && i < 64; ++i) {
    const char32_t c = pattern[i];
    size_t slot = (static_cast<size_t>(c) * 0x9E3779B1u) % kSlots;
    while (used_[slot] && keys_[slot] != c) slot = (slot + 1) % kSlots;
    if (!used_[slot]) {
      used_[slot] = true;
      keys_[slot] = c;
      masks_[slot] = 0;
    }
    masks_[slot] |= uint64_t{1} << i;
  }
}

uint64_t CharPattern::Eq(char32_t c) const {
  size_t slot = (static_cast<size_t>(c) * 0x9E3779B1u) % kSlots;
  while (used_[slot]) {
    if (keys_[slot] == c) return masks_[slot];
    slot = (slot + 1) % kSlots;
  }
  return 0;
}

int CharPattern::Distance(std::u32string_view text) const {
  if (m_ == 0) return static_cast<int>(text.size());
  // Pv/Mv: the vertical deltas (+1/-1) of the current column; bits above
  // m_ carry garbage that never reaches the lower ones.
  uint64_t pv = ~uint64_t{0}, mv = 0;
  const uint64_t last = uint64_t{1} << (m_ - 1);
  int score = m_;
  for (char32_t c : text) {
    const uint64_t eq = Eq(c);
    const uint64_t xv = eq | mv;
    const uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
    uint64_t ph = mv | ~(xh | pv);
    uint64_t mh = pv & xh;
    if (ph & last) {
      ++score;
    } else if (mh & last) {
      --score;
    }
    // Row 0 of the global distance grows by one per column.
    ph = (ph << 1) | 1;
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  return score;
}

void SignatureCache::Find(
    const std::vector<uint64_t>& units,
    std::vector<std::shared_ptr<const Signature>>* out) const {
  out->assign(units.size(), nullptr);
  absl::ReaderMutexLock lock(&mu_);
  for (size_t i = 0; i < units.size(); ++i) {
    auto it = map_.find(units[i]);
    if (it != map_.end()) (*out)[i] = it->second;
  }
}

void SignatureCache::Insert(uint64_t unit,
                            std::shared_ptr<const Signature> signature) {
  const size_t b = signature->Bytes();
  absl::MutexLock lock(&mu_);
  if (bytes_ + b > max_bytes_) {
    map_.clear();
    bytes_ = 0;
  }
  auto [it, inserted] = map_.try_emplace(unit, std::move(signature));
  if (inserted) bytes_ += b;
}

size_t SignatureCache::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return map_.size();
}

size_t SignatureCache::bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  return bytes_;
}

}  // namespace tessera::memory
