// Compiled once so that CMake builds the shared precompiled header (include/book/pch.h).
