namespace SupportSignal.UnitTests.Export;

/// <summary>
/// The small demo set plus rows that are hard to write correctly: Unicode, quotes, control
/// characters, very long text, malformed JSON text, and recognisable secrets. Tests only read it.
/// </summary>
public sealed class SeededDatabase : IAsyncLifetime
{
    public const string TrickyParticipantId = "0190aaaa-0000-7000-8000-000000000001";
    public const string TrickyFirstName = "Zoë \"Ziggy\" O'Brien\\\t\u0001\u001f</script>😀";
    public const string DataProtectionSecret = "DPK-SENTINEL-7c1e0f9a2b3d4c5e6f708192a3b4c5d6";
    public const string BrokenJson = "{\"truncated\": [1, 2,";

    public static readonly string LongText = string.Concat(Enumerable.Repeat("Long narrative line with ünïcödé, \"quotes\" and a tab\t. ", 40_000));

    public TestDatabase Database { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DemoSets.Small);
        Database.Execute(
            """
            INSERT INTO participants (id, company_id, site_id, first_name, last_name, date_of_birth, ndis_number, contact_phone,
                emergency_contact, support_level, care_notes, status, created_at, created_by, updated_at, updated_by)
            SELECT $id, c.id, NULL, $first, 'Ünïcode-Łast', '1990-02-28', '430000001', NULL, NULL, 'high', $notes, 'active',
                '2025-06-30 23:59:59.1234567', (SELECT id FROM users ORDER BY id LIMIT 1), NULL, NULL
            FROM companies c ORDER BY c.id LIMIT 1
            """,
            ("$id", TrickyParticipantId.ToUpperInvariant()), ("$first", TrickyFirstName), ("$notes", LongText));
        Database.Execute(
            "UPDATE workflow_handoffs SET handoff_data = $broken WHERE id = (SELECT id FROM workflow_handoffs ORDER BY id LIMIT 1)",
            ("$broken", BrokenJson));
        Database.Execute(
            "INSERT INTO data_protection_keys (id, friendly_name, xml) VALUES ($id, 'key-sentinel', $xml)",
            ("$id", Guid.CreateVersion7().ToString().ToUpperInvariant()), ("$xml", $"<key><masterKey>{DataProtectionSecret}</masterKey></key>"));
    }

    public async ValueTask DisposeAsync() => await Database.DisposeAsync();
}
