using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SupportSignal.Data.Migrations.SqlServer
{
    /// <summary>
    /// The export reads every table inside one SNAPSHOT transaction, so its counts and rows agree
    /// and it never blocks writers. SQL Server only allows that isolation level once the database
    /// opts in. ALTER DATABASE cannot run inside a transaction, hence suppressTransaction.
    /// </summary>
    public partial class EnableSnapshotIsolation : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON;", suppressTransaction: true);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION OFF;", suppressTransaction: true);
        }
    }
}
