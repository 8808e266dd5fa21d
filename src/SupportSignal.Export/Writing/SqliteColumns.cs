using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using SQLitePCL;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The column reads of the SQLite fast path on the statement's raw handle, bound straight to the
/// bundled SQLite that Microsoft.Data.Sqlite loads. SQLitePCLRaw takes and releases the statement's
/// SafeHandle on every call, two or three calls per value: a profile of the 253 MB export put that
/// at about a tenth of its CPU (docs/benchmarks.md, issue 16). These calls read a value of the
/// current row and neither block nor call back, so they skip the GC transition too. Where the
/// library cannot be bound by name, or is not the very copy SQLitePCLRaw uses, SQLitePCLRaw reads.
/// </summary>
internal static unsafe class SqliteColumns
{
    private const string Library = "e_sqlite3";

    /// <summary>True when the reads below go straight to the library SQLitePCLRaw uses.</summary>
    public static bool Direct { get; } = Bind();

    public static int Type(sqlite3_stmt statement, nint handle, int i) =>
        Direct ? sqlite3_column_type(handle, i) : raw.sqlite3_column_type(statement, i);

    /// <summary>The value's bytes as SQLite holds them (text as its UTF-8), valid until the statement moves.</summary>
    public static ReadOnlySpan<byte> Bytes(sqlite3_stmt statement, nint handle, int i)
    {
        if (!Direct)
        {
            return raw.sqlite3_column_blob(statement, i);
        }

        // SQLite's order: the pointer first, then its length.
        var pointer = sqlite3_column_blob(handle, i);
        var length = sqlite3_column_bytes(handle, i);
        return pointer is null ? default : new ReadOnlySpan<byte>(pointer, length);
    }

    public static long Int64(sqlite3_stmt statement, nint handle, int i) =>
        Direct ? sqlite3_column_int64(handle, i) : raw.sqlite3_column_int64(statement, i);

    public static double Double(sqlite3_stmt statement, nint handle, int i) =>
        Direct ? sqlite3_column_double(handle, i) : raw.sqlite3_column_double(statement, i);

    // The same copy of the library: its version string is the very bytes SQLitePCLRaw's copy returns.
    private static bool Bind()
    {
        try
        {
            var ours = sqlite3_sourceid();
            var theirs = raw.sqlite3_sourceid();
            return ours is not null && ours == Unsafe.AsPointer(ref Unsafe.AsRef(in theirs.GetPinnableReference()));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern byte* sqlite3_sourceid();

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true), SuppressGCTransition]
    private static extern int sqlite3_column_type(nint statement, int i);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true), SuppressGCTransition]
    private static extern byte* sqlite3_column_blob(nint statement, int i);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true), SuppressGCTransition]
    private static extern int sqlite3_column_bytes(nint statement, int i);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true), SuppressGCTransition]
    private static extern long sqlite3_column_int64(nint statement, int i);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true), SuppressGCTransition]
    private static extern double sqlite3_column_double(nint statement, int i);
}
