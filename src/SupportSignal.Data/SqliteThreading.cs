using SQLitePCL;

namespace SupportSignal.Data;

/// <summary>
/// The bundled SQLite is built serialized: every call into a connection (each column of each row
/// read) takes and releases that connection's mutex, about 7% of an export's CPU in a profile of the
/// CLI. This app never uses one connection from two threads at once (ADO.NET connections are not
/// thread-safe anyway; parallel readers each have their own), so multi-thread mode, which drops those
/// mutexes, is safe. SQLite takes it only before its first connection, so a process calls this first.
/// </summary>
public static class SqliteThreading
{
    /// <summary>Switches SQLite to multi-thread mode; false when SQLite was already initialised (it then stays serialized).</summary>
    public static bool UseMultiThreadMode()
    {
        Batteries_V2.Init();
        return raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD) == raw.SQLITE_OK;
    }
}
