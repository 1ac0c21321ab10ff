// Fixed-size byte buffers shared by the sessions of one worker. A session holds one only while it
// relays a response, so an idle session costs none. Only the worker's thread touches the pool.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace rwproxy::net {

class BufferPool {
 public:
  // Keeps up to `max_kept` free buffers of `buffer_size` bytes for reuse.
  explicit BufferPool(std::size_t buffer_size, std::size_t max_kept = 64)
      : buffer_size_(buffer_size), max_kept_(max_kept) {}
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer lent until the lease ends.
  class Lease {
   public:
    Lease(BufferPool& pool, std::unique_ptr<std::uint8_t[]> bytes) : pool_(&pool), bytes_(std::move(bytes)) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), bytes_(std::move(other.bytes_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (bytes_) pool_->give_back(std::move(bytes_));
    }
    std::span<std::uint8_t> bytes() const { return {bytes_.get(), pool_->buffer_size_}; }

   private:
    BufferPool* pool_;
    std::unique_ptr<std::uint8_t[]> bytes_;
  };

  Lease lease() {
    if (free_.empty()) return Lease(*this, std::make_unique_for_overwrite<std::uint8_t[]>(buffer_size_));
    auto bytes = std::move(free_.back());
    free_.pop_back();
    return Lease(*this, std::move(bytes));
  }
  std::size_t buffer_size() const { return buffer_size_; }
  std::size_t kept() const { return free_.size(); }

 private:
  void give_back(std::unique_ptr<std::uint8_t[]> bytes) {
    if (free_.size() < max_kept_) free_.push_back(std::move(bytes));
  }

  std::size_t buffer_size_;
  std::size_t max_kept_;
  std::vector<std::unique_ptr<std::uint8_t[]>> free_;
};

}  // namespace rwproxy::net
