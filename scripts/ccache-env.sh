# Sourced by the build scripts: ccache settings that let a clone elsewhere hit the same cache entries.
# basedir makes paths under the checkout relative; the sloppiness lets the torch precompiled header be cached.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
