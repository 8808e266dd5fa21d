using SupportSignal.Data;
using SupportSignal.Web.Infrastructure;

SqliteThreading.UseMultiThreadMode();
var builder = WebApplication.CreateBuilder(args);

builder.AddSupportSignalLogging();
builder.Services.AddSupportSignalData(DatabaseSettings.From(builder.Configuration, builder.Environment.ContentRootPath));
builder.Services.AddSupportSignalDataProtection();
builder.Services.AddSupportSignalIdentity(builder.Environment);
builder.Services.AddSupportSignalExport();
builder.Services.AddSupportSignalPages();

var app = builder.Build();

app.UseSupportSignalPipeline();
await app.InitializeDatabaseAsync();

await app.RunAsync();

public partial class Program;
