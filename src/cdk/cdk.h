// The canister kit in one include: runtime and System API, typed Candid, typed entry points, coroutine
// inter-canister calls, guards, stable memory and the stable B-tree map, timers and certified data.
#pragma once

#include "cdk/btree.h"
#include "cdk/call.h"
#include "cdk/candid.h"
#include "cdk/certified.h"
#include "cdk/guard.h"
#include "cdk/method.h"
#include "cdk/runtime.h"
#include "cdk/stable.h"
#include "cdk/task.h"
#include "cdk/timer.h"
