//! The monthly complaint recap (*laporan pengelolaan pengaduan*).
