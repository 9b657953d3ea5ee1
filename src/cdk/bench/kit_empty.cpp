// kit_empty: the smallest useful kit canister (one typed query), to measure the kit's fixed cost in a module.
#include <string>

#include "cdk/method.h"

std::string version() { return "kit_empty 1"; }
CDK_QUERY_FN(version)
