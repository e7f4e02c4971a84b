/**
 * OneLogin's SCIM provisioning, as far as OneLogin documents it (developers.onelogin.com/scim: "Define Your SCIM
 * User Schema", "Create a SCIM Test App", "Test Your SCIM Implementation"). OneLogin publishes no test suite: a
 * developer creates a "SCIM Provisioner with SAML" test app, pastes a SCIM JSON template, assigns a user and
 * watches the provisioning tasks. What reaches the service is the template with OneLogin's values filled in, so
 * these steps send the documented templates as OneLogin renders them (an empty parameter becomes "") and check
 * what a connector developer needs back.
 *
 * The requests OneLogin makes around the template (the existence query, update and delete shapes) are not
 * documented; they are not replayed here.
 */
import { describe, expect, it } from 'vitest';
import type { ProfileName } from '../../src/tenant.js';
import { ENTERPRISE, ERROR, scimJson, suiteClient, USER } from './suite.js';

const PROFILES: ProfileName[] = ['rfc', 'lenient'];

describe.each(PROFILES)('OneLogin SCIM JSON templates (profile %s)', (profile) => {
  const s = suiteClient({ profile }, { 'Content-Type': 'application/json' });

  it('the "OneLogin Core User Schema" template names the SCIM 1.1 schema: 400 that says which URN a SCIM 2.0 service needs', async () => {
    const res = await s.send({
      method: 'post',
      path: '/Users',
      body: { schemas: ['urn:scim:schemas:core:1.0'], userName: 'jane.doe@example.com', name: { givenName: 'Jane', familyName: 'Doe', formatted: 'Jane Doe' } },
    });
    // RFC 7643 section 3: a User's schemas include urn:ietf:params:scim:schemas:core:2.0:User. The 1.0 template is
    // for OneLogin's SCIM 1.1 apps; a SCIM 2.0 connector uses the 2.0 URNs.
    expect(res.status).toBe(400);
    scimJson(res);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    expect(res.body.detail).toContain(USER);
  });

  it('the "OneLogin Enterprise User Schema" template sends "emails" as one object: 400 asking for an array', async () => {
    const res = await s.send({
      method: 'post',
      path: '/Users',
      body: { schemas: [USER, ENTERPRISE], userName: 'jane.doe@example.com', emails: { value: 'jane.doe@example.com', type: 'work', primary: true } },
    });
    // RFC 7643 section 2.4: a multi-valued attribute is a JSON array.
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(res.body.detail).toMatch(/emails.*array/);
  });

  it('the SCIM 2.0 enterprise template with empty parameters, "id": null, meta and a manager with managerId: 201', async () => {
    const res = await s.send({
      method: 'post',
      path: '/Users',
      body: {
        schemas: [USER, ENTERPRISE],
        userName: 'jane.doe@example.com',
        name: { familyName: 'Doe', givenName: 'Jane', formatted: 'Jane Doe' },
        title: '',
        userType: '',
        timezone: '',
        emails: [{ value: 'jane.doe@example.com', type: 'work', primary: true }],
        addresses: [{ locality: '', region: '', country: '' }],
        active: true,
        id: null,
        meta: { resourceType: 'User' },
        [ENTERPRISE]: { organization: '', division: '', department: 'Sales', manager: { managerId: '', displayName: ' ' } },
      },
    });
    expect(res.status).toBe(201);
    expect(typeof res.body.id).toBe('string');
    expect(res.body).toMatchObject({ userName: 'jane.doe@example.com', active: true, name: { givenName: 'Jane', familyName: 'Doe' } });
    // "managerId" is no sub-attribute of manager (RFC 7643 section 4.3: value, $ref, displayName) and displayName is
    // readOnly, so the manager carries nothing and is not stored.
    expect(res.body[ENTERPRISE]).toMatchObject({ department: 'Sales' });
    expect(res.body[ENTERPRISE].manager).toBeUndefined();
    const found = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent('userName eq "Jane.Doe@example.com"')}` });
    expect(found.body.totalResults).toBe(1);
  });

  it('a template that fills "active" from "{$user.active}" inside quotes sends the string "true"', async () => {
    const res = await s.send({ method: 'post', path: '/Users', body: { schemas: [USER], userName: 'john.roe@example.com', active: 'true' } });
    if (profile === 'rfc') {
      // RFC 7643 section 2.3.2: a boolean is the JSON literal true or false [boolean-string].
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
      return;
    }
    expect(res.status).toBe(201);
    expect(res.body.active).toBe(true);
  });

  it('a template with the enterprise attributes but only the core URN in "schemas": 400 naming the missing URN', async () => {
    const res = await s.send({ method: 'post', path: '/Users', body: { schemas: [USER], userName: 'ann.lee@example.com', [ENTERPRISE]: { department: 'Sales' } } });
    // RFC 7643 section 3: "schemas" lists the schemas of the representation, the extension's included.
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain(ENTERPRISE);
  });
});
