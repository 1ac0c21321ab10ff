// Copies a string into a heap buffer of exactly its size, so that AddressSanitizer reports any
// read past the end (a std::string literal would have a terminating NUL and slack).
#pragma once

#include <cstring>
#include <memory>
#include <string_view>

namespace rwproxy::parser::testing {

class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view text)
      : size_(text.size()), data_(new char[text.empty() ? 1 : text.size()]) {
    if (!text.empty()) std::memcpy(data_.get(), text.data(), text.size());
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

}  // namespace rwproxy::parser::testing
