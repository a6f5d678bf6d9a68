package main

import (
	"context"
	"flag"
	"fmt"

	"tandem/policy"
)

// settingsList prints the rules' numbers in force.
func (m *Main) settingsList(ctx context.Context, g *globals, args []string) error {
	if err := m.parse(flag.NewFlagSet("settings list", flag.ContinueOnError), g, args); err != nil {
		return err
	}
	store, err := m.openExisting(ctx, g, m.logger())
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := store.Settings(ctx)
	if err != nil {
		return err
	}
	for _, k := range policy.SettingKeys {
		v, _ := st.Get(k)
		fmt.Fprintf(m.Stdout, "%s = %s\n", k, v)
	}
	return nil
}

// settingsSet changes one of the rules' numbers, with the reason: the
// change is audited.
func (m *Main) settingsSet(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("settings set", flag.ContinueOnError)
	key := fs.String("key", "", "the setting: "+fmt.Sprint(policy.SettingKeys))
	value := fs.String("value", "", "its new value")
	reason := fs.String("reason", "", "why it changes (kept in the audit trail)")
	as := fs.String("as", "", "the username of the administrator or controller who makes the change")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	if *key == "" || *value == "" || *reason == "" || *as == "" {
		return usagef("settings set: --key, --value, --reason and --as are required")
	}
	if _, ok := policy.DefaultSettings().Get(*key); !ok {
		return usagef("--key: unknown setting %q; the settings are %v", *key, policy.SettingKeys)
	}
	store, actx, err := m.openAs(ctx, g, *as)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.SetSetting(actx, *key, *value, *reason); err != nil {
		return err
	}
	st, err := store.Settings(ctx)
	if err != nil {
		return err
	}
	v, _ := st.Get(*key)
	fmt.Fprintf(m.Stdout, "%s = %s\n", policy.CanonicalKey(*key), v)
	return nil
}
