using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SupportSignal.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class FreeTextLogColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
