using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SupportSignal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ExportAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "export_audit",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    user_id = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    source = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    started_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    finished_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    outcome = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    format = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    filters = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    deidentified = table.Column<bool>(type: "bit", nullable: false),
                    record_counts = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    total_records = table.Column<long>(type: "bigint", nullable: true),
                    bytes = table.Column<long>(type: "bigint", nullable: true),
                    duration_ms = table.Column<long>(type: "bigint", nullable: true),
                    correlation_id = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    error_code = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_export_audit", x => x.id);
                    table.ForeignKey(
                        name: "fk_export_audit_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_export_audit_started_at",
                table: "export_audit",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ix_export_audit_user_id",
                table: "export_audit",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "export_audit");
        }
    }
}
