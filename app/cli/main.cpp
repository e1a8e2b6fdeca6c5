#include <iostream>
#include "avss/version.h"
int main() { std::cout << "avss " << avss::versionInfo().avss << "\n"; }
