// The one translation unit that compiles Boost.Beast's implementation. Beast's headers are
// allowed only in lib/net/ and sim/ (DESIGN.md §2); this file keeps their cost paid once.
#include <boost/beast/src.hpp>
