// Statement deadlines without a timer per statement: one coarse timer per worker sweeps the
// deadlines that are armed and cancels the socket of each one that has passed. Arming, moving and
// disarming a deadline is a clock read and a few stores into an intrusive list, never a timer
// operation or a syscall; the sweep timer runs only while some deadline is armed, so an idle worker
// never wakes for it. A deadline fires between its time and one sweep period after it.
// One worker's: used from that worker's thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "proxy/asio.hpp"

namespace rwproxy::net {

class DeadlineSweep {
 public:
  using Clock = std::chrono::steady_clock;

  // One statement's deadline on one socket. Unlinks itself when destroyed.
  class Watch {
   public:
    Watch(DeadlineSweep& sweep, tcp::socket& socket) : sweep_(sweep), socket_(&socket) {}
    ~Watch() { disarm(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    // From now on, the socket's pending operations are cancelled once `timeout` has passed
    // (re-arming moves the deadline). Clears expired().
    void arm(std::chrono::milliseconds timeout) { sweep_.arm(*this, Clock::now() + timeout); }
    void disarm() { sweep_.unlink(*this); }
    // Whether the sweep cancelled the socket's operations because the deadline passed.
    bool expired() const { return expired_; }

   private:
    friend class DeadlineSweep;
    DeadlineSweep& sweep_;
    tcp::socket* socket_;
    Clock::time_point deadline_{};
    Watch* prev_ = nullptr;
    Watch* next_ = nullptr;
    bool linked_ = false;
    bool expired_ = false;
  };

  // `period`: how often the armed deadlines are checked (the precision of a deadline).
  DeadlineSweep(const asio::any_io_executor& executor, std::chrono::milliseconds period);
  ~DeadlineSweep();
  DeadlineSweep(const DeadlineSweep&) = delete;
  DeadlineSweep& operator=(const DeadlineSweep&) = delete;

  std::size_t armed() const { return armed_; }
  // Destroys the timer, which must go before its io_context does; the watches still unlink
  // safely afterwards (sessions are destroyed with the io_context's pending coroutines), but
  // no deadline fires any more.
  void stop();
  // The period for deadlines of `timeout`: a tenth of it, between 5 ms and 100 ms.
  static std::chrono::milliseconds period_for(std::chrono::milliseconds timeout);

 private:
  void arm(Watch& watch, Clock::time_point deadline);
  void unlink(Watch& watch);
  void schedule();
  // Cancels the sockets of the deadlines that passed by `now`; returns whether any is left.
  bool sweep(Clock::time_point now);

  std::optional<asio::steady_timer> timer_;
  std::chrono::milliseconds period_;
  Watch* head_ = nullptr;
  std::size_t armed_ = 0;
  bool scheduled_ = false;
  // Set by the destructor: a timer handler already queued must not touch this sweep.
  std::shared_ptr<bool> alive_;
};

}  // namespace rwproxy::net
