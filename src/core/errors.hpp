#pragma once
// Named errors. ApiError carries an HTTP status and a message safe to show
// the caller; InfraError reports a backend (store, bus, database) failure.
#include <stdexcept>
#include <string>

namespace onair {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message) : std::runtime_error(std::move(message)), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

inline ApiError bad_request(std::string m) { return {400, std::move(m)}; }
inline ApiError unauthorized(std::string m) { return {401, std::move(m)}; }
inline ApiError forbidden(std::string m) { return {403, std::move(m)}; }
inline ApiError not_found(std::string m) { return {404, std::move(m)}; }
inline ApiError conflict(std::string m) { return {409, std::move(m)}; }

// A backend failed (connection lost, server error). `backend` names which one
// ("redis", "rabbitmq", "mariadb", ...) so metrics can count per backend.
class InfraError : public std::runtime_error {
 public:
  InfraError(std::string backend, const std::string& message)
      : std::runtime_error(backend + ": " + message), backend_(std::move(backend)) {}
  const std::string& backend() const noexcept { return backend_; }

 private:
  std::string backend_;
};

}  // namespace onair
