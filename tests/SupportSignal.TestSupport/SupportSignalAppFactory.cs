using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
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
    private TestDatabase? _database;
    private int _exportPostsInFlight;

    public LogCapture Logs { get; } = new();

    /// <summary>The app's own database: a copy of <see cref="AppDatabase"/>'s seeded template.</summary>
    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized yet.");

    public string DatabasePath => Database.Path;

    /// <summary>
    /// Export POSTs the app is still handling. Counted outside every middleware of the app, so at zero the
    /// rate limiter has had each export's slot back.
    /// </summary>
    public int ExportPostsInFlight => Volatile.Read(ref _exportPostsInFlight);

    public virtual async ValueTask InitializeAsync() => _database = await AppDatabase.CreateCopyAsync();

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

    /// <summary>Gives the app this clock (a <see cref="TestClock"/>) instead of the system's; call before the first request.</summary>
    public SupportSignalAppFactory WithClock(TimeProvider clock) => ConfigureServices(services => services.AddSingleton(clock));

    /// <summary>A context on the app's database file, for arranging and checking.</summary>
    public SupportSignalDbContext OpenDatabase() => Database.NewContext();

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
            services.AddSingleton<IStartupFilter>(new ExportPostCounter(this));
            foreach (var change in _serviceChanges)
            {
                change(services);
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private sealed class ExportPostCounter(SupportSignalAppFactory app) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => builder =>
        {
            builder.Use(async (context, nextMiddleware) =>
            {
                if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.StartsWithSegments(ExportForm.Path, StringComparison.OrdinalIgnoreCase))
                {
                    await nextMiddleware(context);
                    return;
                }

                Interlocked.Increment(ref app._exportPostsInFlight);
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    Interlocked.Decrement(ref app._exportPostsInFlight);
                }
            });
            next(builder);
        };
    }
}
