#pragma once
// `onair simulate`: the showtime audience engine offline (no server, no
// stores): N sessions x M members for T ticks, with a seed, so a designer can
// tune the SHOWTIME_* settings and anyone can replay a run exactly (the final
// state_hash is the same for the same arguments and settings). docs/showtime.md.
#include <CLI/CLI.hpp>

#include "core/config_support.hpp"

namespace onair::app {

// Adds the `simulate` subcommand to `cli`; its callback runs the simulation and exits.
void add_simulate_command(CLI::App& cli, const core::EnvLookup& env);

}  // namespace onair::app
