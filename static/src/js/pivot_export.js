odoo.define('crm_opportunity_suite.pivot_export', function (require) {
"use strict";

var PivotModel = require('web.PivotModel');

/**
 * The pivot's Download sends the name of the model it shows, so that the server refuses
 * opportunity data to users without the export permission (the server also refuses a
 * download that does not say its model to them).
 */
PivotModel.include({
    exportData: function () {
        var table = this._super.apply(this, arguments);
        table.model = this.modelName;
        return table;
    },
});

});
