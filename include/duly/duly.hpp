// duly/duly.hpp: the umbrella header. Include this to get all of duly's public
// API except the opt-in Boost.Date_Time interop (duly/boost.hpp).
#pragma once

#include <duly/version.hpp>
#include <duly/error.hpp>
#include <duly/time.hpp>
#include <duly/zone.hpp>
#include <duly/calendar.hpp>
#include <duly/value.hpp>
#include <duly/condition.hpp>
#include <duly/policy.hpp>
#include <duly/event.hpp>
#include <duly/evaluate.hpp>
#include <duly/io.hpp>
#include <duly/store.hpp>
#include <duly/report.hpp>
