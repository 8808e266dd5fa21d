using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SupportSignal.Data.Migrations.Sqlite
{
    /// <summary>
    /// No schema change: records in the model snapshot what each personal column holds
    /// (SupportSignal:PersonalKind), which the de-identified export reads.
    /// </summary>
    public partial class PersonalDataKinds : Migration
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
