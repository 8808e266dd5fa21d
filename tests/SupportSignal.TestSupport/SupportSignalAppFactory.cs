using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

using Serilog.Core;

using SupportSignal.Data;
using SupportSignal.Web.Infrastructure;

using Xunit;

namespace SupportSignal.TestSupport;

/// <summary>
/// The real app (Program.cs as written) over its own migrated, seeded SQLite file, with every
/// log event captured. Use as an xunit class fixture; <see cref="ConfigureServices"/> lets a
/// test class add a fault before the host starts.
/// </summary>
public class SupportSignalAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly List<Action<IServiceCollection>> _serviceChanges = [];
    private readonly Dictionary<string, string> _settings = [];
    private string? _databasePath;

    public LogCapture Logs { get; } = new();

    public string DatabasePath => _databasePath ?? throw new InvalidOperationException("The fixture is not initialized yet.");

    public virtual async ValueTask InitializeAsync() => _databasePath = await TestDatabase.CreateCopyAsync();

    /// <summary>Registers a change to the app's services; call before the first request.</summary>
    public SupportSignalAppFactory ConfigureServices(Action<IServiceCollection> change)
    {
        _serviceChanges.Add(change);
        return this;
    }

    /// <summary>Overrides a configuration value; call before the first request.</summary>
    public SupportSignalAppFactory WithSetting(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>A context on the app's database file, for arranging and checking.</summary>
    public SupportSignalDbContext OpenDatabase() => TestDatabase.OpenContext(DatabasePath);

    /// <summary>Serves the app on real Kestrel (a random loopback port) and returns its address.</summary>
    public Uri StartRealServer()
    {
        UseKestrel(0);
        StartServer();
        return ClientOptions.BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development keeps cookies usable over plain http, which both TestServer and the
        // loopback Kestrel speak; the first-run seeding is off because the file is seeded already.
        builder.UseEnvironment("Development");
        builder.UseSetting(DatabaseSettings.ProviderKey, "Sqlite");
        builder.UseSetting($"ConnectionStrings:{DatabaseSettings.ConnectionStringName}", TestDatabase.ConnectionString(DatabasePath));
        builder.UseSetting(DatabaseInitializer.InitializeOnStartupKey, "false");
        // Everything down to Debug, framework and EF Core included, so the no-leak checks see it all.
        builder.UseSetting("Serilog:MinimumLevel:Default", "Debug");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Debug");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore", "Debug");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs);
            foreach (var change in _serviceChanges)
            {
                change(services);
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_databasePath is not null)
        {
            TestDatabase.Delete(_databasePath);
        }

        GC.SuppressFinalize(this);
    }
}
